"""How residents actually write (issue 18): traditional characters, homophone typos from
pinyin keyboards and dictation, spoken fillers, one-word questions; and the questions the bot
must not answer with a neighbouring entry. On the shipped knowledge base, without Flask."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.faq.shipped import answered
from wxapp.faq.matcher import (
    CALIBRATION_FILE,
    CONFIDENCE_FEATURES,
    FEATURES,
    focus,
    load_calibration,
)
from wxapp.faq.normalize import DATA, basic, canonical, question_form, to_simplified
from wxapp.faq.tokenizer import words


@pytest.mark.parametrize("text,code", [
    ("避孕藥具在哪裡領", "supplies.where"),
    ("孕檢預約怎麼取消", "precheck.cancel"),
    ("葉酸每天要吃多少", "folic.what"),
    ("準生證還要辦嗎", "birth-reg.what"),
])
def test_traditional_characters_are_understood(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text,meant", [
    ("保險套在哪裡領", "避孕套"),
    ("媽媽手冊在哪辦", "母子健康手册"),
    ("事後丸去哪買", "紧急避孕药"),
    ("我先生要一起去孕檢嗎", "丈夫"),
    ("登記憑證可以列印嗎", "打印"),
])
def test_the_words_of_taiwan_and_of_chinese_abroad_are_read_as_ours(text, meant):
    assert meant in words(question_form(text))


def test_a_question_mostly_about_something_the_base_never_speaks_of_is_not_answered(matcher):
    """Only 卫健办 is the base's word: the contact entry may be offered, not given."""
    assert matcher.calibration.max_unseen < 1.0
    assert matcher.match("卫健办门口能停电动车吗").outcome != "answered"


def test_another_offices_errand_is_not_answered(matcher):
    for text in ("孩子出生证明怎么办", "检察院电话多少", "我的医保怎么报销门诊"):
        assert matcher.match(text).outcome != "answered", text


def test_traditional_and_simplified_read_the_same(matcher):
    assert question_form("發放機沒貨了怎麼辦") == question_form("发放机没货了怎么办")
    assert matcher.match("孕前檢查要空腹嗎").best.code == "precheck.prepare"


@pytest.mark.parametrize("text,code", [
    ("生育登纪要多久", "birth-reg.time"),        # 登纪 for 登记
    ("孕检要怎么预越", "precheck.book"),          # 预越 for 预约
    ("孕前检察要空腹吗", "precheck.prepare"),     # 检察 for 检查
    ("业酸怎么吃", "folic.what"),                 # 业酸 for 叶酸
])
def test_a_typo_that_sounds_right_still_matches(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("typed,meant", [
    ("叶栓怎么吃", "叶酸怎么吃"),          # sh for s: a fuzzy-sound keyboard setting
    ("宁取码怎么获得", "领取码怎么获得"),  # n for l, in for ing
])
def test_a_typo_of_a_fuzzy_sound_is_corrected(matcher, typed, meant):
    assert matcher.corrector.correct(typed) == meant


def test_characters_jieba_would_glue_into_a_made_up_word_are_still_corrected(matcher):
    # jieba's HMM reads 夜酸要 as one unknown word; only a dictionary word is kept as typed.
    assert matcher.corrector.correct("夜酸要吃多久") == "叶酸要吃多久"


@pytest.mark.parametrize("typed,meant", [
    ("免费必孕药具哪里可以领到", "免费避孕药具哪里可以领到"),
    ("闭孕药怎么吃", "避孕药怎么吃"),
])
def test_a_slip_the_synonym_table_lists_in_one_word_is_corrected_in_others(
        matcher, typed, meant):
    # 必孕套 and 闭孕套 are listed as residents' ways of writing 避孕套: that makes 必孕 a
    # known way of mistyping 避孕, not a word of the base.
    assert matcher.corrector.correct(typed) == meant


def test_a_real_word_is_not_taken_for_a_typo(matcher):
    # 检察院 (the procuratorate) sounds like 检查 + 院, but it is a word of its own.
    assert matcher.corrector.correct("检察院电话多少") == "检察院电话多少"
    assert matcher.corrector.correct("孕前检察要空腹吗") == "孕前检查要空腹吗"


@pytest.mark.parametrize("typed", [
    "一个月总共能领几次",        # 共能 sounds like 功能: 总共 能 is what it says
    "我老公是二婚",              # 公是 sounds like 公式, and 是二 like 十二
    "孕前检查要打几针疫苗",      # 几针 sounds like 记镇, 疫苗 like 医苗
    "给宝宝打疫苗",              # 打疫 sounds like 大姨
    "咱们镇的孕检在哪做",        # 镇的 sounds like 真的, which only asks (a stopword)
])
def test_a_correction_that_makes_a_sentence_less_likely_is_not_made(matcher, typed):
    # Pairs across word boundaries are unknown to the base and often sound like one of its
    # words; replacing them turns good Chinese into nonsense that then competes as a reading.
    assert matcher.corrector.correct(typed) == typed


@pytest.mark.parametrize("typed,meant", [
    ("yesuan zai nali ling", "叶酸在哪里领"),
    ("Yesuan zai nali ling", "叶酸在哪里领"),         # a phone capitalises the first letter
    ("生育dengji要带啥", "生育登记要带啥"),           # 登记, the base's word, not 等级
    ("wo laogong yao qu ma", "我老公要去吗"),         # not 老工 要 取码
    ("yunqianjianchamianfeima", "孕前检查免费吗"),    # run together
    ("fafangji meiyou huo le", "发放机没有货了"),     # a resident's word, from the synonyms
    # One syllable typed inside a word: the character that makes the base's word with its
    # neighbours (huan is not hu + an, Yun not the likelier 云 or an attached slip's 运).
    ("deng记要hu口本吗", "登记要户口本吗"),
    ("免费Yun检去哪里做", "免费孕检去哪里做"),
    ("想上huan，卫生院能做吗", "想上环，卫生院能做吗"),
    ("领取ma在哪弄", "领取码在哪弄"),
    ("孕qian检查", "孕前检查"),
])
def test_a_question_typed_in_pinyin_is_read_in_characters(matcher, typed, meant):
    assert matcher.pinyin.read(typed) == meant


@pytest.mark.parametrize("typed", [
    "NT检查要预约吗",     # capitals: an abbreviation
    "HCG多少算怀上",
    "孕检ok吗",           # not pinyin through and through
    "lg能去吗",
    "yyds",
    "app怎么用",
    "ai",                 # one syllable is as likely English
])
def test_letters_that_are_not_pinyin_are_left_alone(matcher, typed):
    assert matcher.pinyin.read(typed) == typed


@pytest.mark.parametrize("text,code", [
    ("yunqian jiancha mianfei ma", "precheck.free"),
    ("jinji biyunyao", "supplies.emergency"),
    ("fafangji meiyou huo le", "supplies.empty"),
])
def test_a_question_in_pinyin_is_answered(matcher, text, code):
    assert answered(matcher, text) == code


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABC '")),
                                  st.characters()), max_size=60))
def test_reading_pinyin_never_raises_and_leaves_text_without_letters_alone(matcher, text):
    read = matcher.pinyin.read(text)
    if not any(c.isascii() and c.isalpha() for c in text):
        assert read is text


@pytest.mark.parametrize("typed,meant", [
    ("兔费的叶酸在哪领", "免费的叶酸在哪领"),      # handwriting input: 兔 looks like 免
    ("生育登记要哪些材科", "生育登记要哪些材料"),  # 科 like 料
    ("孕前检查结杲在哪看", "孕前检查结果在哪看"),  # 杲 like 果
    ("卫健办电活多少", "卫健办电话多少"),          # 活 like 话
])
def test_a_typo_that_looks_right_is_corrected(matcher, typed, meant):
    assert matcher.corrector.correct(typed) == meant


@pytest.mark.parametrize("typed", [
    "科学备孕要注意什么",    # 科学 is a word: 科 is no slip of 料 here
    "来了几个人",            # 人 and 入 look alike, but 个人 is what it says
    "生活费能补贴吗",        # nor is 生活 a slip of 生话
])
def test_a_word_that_looks_like_another_is_left_alone(matcher, typed):
    assert matcher.corrector.correct(typed) == typed


@pytest.mark.parametrize("typed,meant", [
    ("避孕套鸡在哪", "避孕套机在哪"),
    ("自助领取鸡怎么用", "自助领取机怎么用"),
])
def test_a_slip_inside_a_residents_word_for_the_cabinet_is_corrected(matcher, typed, meant):
    # 避孕套机 is a word of the base (a resident's name for 发放点) but not of jieba's
    # dictionary, so the sentence's likelihood barely moves; landing in it is enough.
    assert matcher.corrector.correct(typed) == meant


def test_a_typo_in_a_question_staff_attached_is_still_corrected_elsewhere():
    # Staff attach residents' questions as they were typed; their slips must not become words
    # of the base, or 预越 would never again be read as 预约.
    import dataclasses

    from tests.faq.shipped import KB_PATH
    from wxapp.faq.knowledge_base import load_knowledge_base
    from wxapp.faq.matcher import FaqMatcher

    # Many residents make the same slip: attached five times, it is still one.
    slips = ("孕检咋预越", "预越孕检", "在哪预越", "预越了能改不", "孕前检查怎么预越啊")
    entries = load_knowledge_base(KB_PATH).entries
    attached = [dataclasses.replace(e, similar_questions=(*e.similar_questions, *slips))
                if e.code == "precheck.book" else e for e in entries]
    matcher = FaqMatcher.build(attached)
    assert matcher.corrector.correct("叶酸要预越吗") == "叶酸要预约吗"
    assert matcher.corrector.correct("预越的时间能改吗") == "预约的时间能改吗"
    # What residents wrote right stays as written: 酸要 in 叶酸要 is no slip of anything.
    assert matcher.corrector.correct("叶酸要吃多久") == "叶酸要吃多久"


@pytest.mark.parametrize("text,code", [
    ("联系电话多少", "service.contact"),       # 联系电话: a word of jieba's, not of the base
    ("你们上班时间几点", "service.contact"),
])
def test_a_compound_word_the_base_never_uses_is_read_as_its_parts(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text,code", [
    ("喺边度攞避孕套", "supplies.where"),           # 喺 在, 边度 哪里, 攞 拿
    ("叶酸要食几耐", "folic.what"),               # 食 吃, 几耐 多久
    ("生育登记喺网上点办", "birth-reg.online"),    # 点办 怎么办
    ("孕前检查喺边度做", "precheck.where"),
])
def test_cantonese_written_forms_are_read_as_mandarin(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text,read", [
    ("生育登记一定要老婆去办咩", "生育登记一定要老婆去办吗"),  # a final 咩 asks, as 吗 does
    ("孕检系咩", "孕检是什么"),                                # 系咩 is 是什么, final or not
    ("我系咪要登记", "我是不是要登记"),     # 系咪 after 我 or 你: 我系 is not read first
    ("有咩避孕嘢系免费嘅", "有什么避孕东西是免费的"),
    ("发放点在哪里", "发放点在哪里"),        # 点 alone is a place, not 怎么
    ("卫健办联系电话", "卫健办联系电话"),    # 系 inside 联系 is no 是
    ("返回菜单", "返回菜单"),
])
def test_regional_forms_are_read_only_where_they_mean_nothing_else(text, read):
    assert question_form(text) == read


@pytest.mark.parametrize("text,read", [
    # OpenCC writes 嗰 as 𠮶, a character outside the basic block: it was dropped, and
    # 嗰朝 (that morning) read as a lone 朝.
    ("做孕检嗰朝使唔使空肚", "做孕检那天早上需不需要空腹"),
    ("嗰度有冇得攞", "那里有没有得拿"),
    ("喺手机度点样办", "在手机上怎样办"),   # 点样 is how to, not how it is going
])
def test_cantonese_that_and_there_survive_the_simplified_reading(text, read):
    assert question_form(text) == read


@pytest.mark.parametrize("text,code", [
    ("叶酸勒啥地方好领伐", "folic.get"),             # Wu: 勒啥地方 在哪里, a final 伐 asks
    ("免费个套套佗位会使拿", "supplies.where"),      # Minnan: 佗位 哪里, 会使 可以
    ("阮翁也着去做孕前检查无", "precheck.husband"),  # 阮翁 我老公, a final 无 asks
    ("生育登记手机浪会使办无", "birth-reg.online"),  # 手机浪 手机上
])
def test_wu_and_minnan_written_forms_are_read_as_mandarin(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text,read", [
    ("登记好改伐", "登记好改吗"),
    ("生小人个铜钿好报销伐", "生孩子个钱好报销吗"),   # Wu 生小人 生孩子, 铜钿 钱
    ("叶酸克哪拿", "叶酸去哪拿"),                     # Wuhan 克 去, before 哪 only
    ("叶酸0.4克", "叶酸0 4克"),
    ("孕前检查搁哪儿", "孕前检查在哪儿"),             # north-eastern 搁 在
    ("生伢的钱能报不", "生孩子的钱能报不"),           # Hubei/Hunan 伢 孩子
    ("会使改无", "可以改吗"),
    ("生育登记是哪样", "生育登记是什么"),             # Guizhou 哪样 什么, after 是 only
    ("查一哈进度", "查一下进度"),                     # south-western 一哈 一下
    ("领套套别个看得到不", "领套套别人看得到不"),
    ("你能干撒", "你能做什么"),                       # north-western 撒 啥, in phrases only
    ("撒谎的人多", "撒谎的人多"),
    ("甚至还要交钱", "甚至还要交钱"),
    ("哪样的避孕药好", "哪样的避孕药好"),             # 哪样 first is Mandarin 哪种
    ("无法登记怎么办", "无法登记怎么办"),    # 无 inside a question is no 吗
    ("饮食要注意啥", "饮食要注意啥"),        # 食 alone is no Minnan 吃
    ("爱人要一起去吗", "爱人要一起去吗"),    # nor 爱 a Hakka 要
])
def test_wu_minnan_and_northern_forms_are_read_only_in_context(text, read):
    assert question_form(text) == read


def test_each_mandarin_reading_is_listed_once():
    # YAML keeps the last of two equal keys: a second 你们 line had silently dropped 你哋.
    lines = (DATA / "regional.yaml").read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in lines.splitlines()
            if line and not line.startswith(("#", " "))]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


@pytest.mark.parametrize("text,code", [
    ("嗯那个就是说我想问一下孕检要空腹吗", "precheck.prepare"),
    ("麻烦问下，叶酸去哪里领啊", "folic.get"),
    ("请问一下，呃，生育登记要带什么材料", "birth-reg.materials"),
])
def test_fillers_of_spoken_chinese_are_ignored(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text,code", [
    ("我家那口子最近老加班，我们打算要二胎，想问孕检在哪里做", "precheck.where"),
    ("上个月刚从外地回来，家里老人催得紧，就是想问一下叶酸去哪里领", "folic.get"),
])
def test_the_question_inside_a_story_is_found(matcher, text, code):
    assert answered(matcher, text) == code


def test_a_story_around_an_out_of_scope_question_is_not_answered(matcher):
    assert matcher.match("前两天下雨路不好走，我想问一下明天会不会下雨").outcome != "answered"


def test_a_clause_without_a_topic_is_not_read_alone(matcher):
    # "咋办呢" alone is every entry's "how": it matched the online-registration entry.
    assert matcher.match("我儿子老不回家，咋办呢").outcome != "answered"
    rows = matcher.candidate_features("我儿子老不回家，咋办呢")
    assert all(row[FEATURES.index("left_out")] == 0.0 for row in rows.values())


def test_a_clause_that_asks_about_the_storys_topic_is_read_with_it(matcher):
    # "这个检查到底是干嘛的" names no topic; the story named 孕前检查.
    text = ("我们刚结婚，嗯，村医说让我们去做那个免费的孕前检查，就是说这个检查到底是干嘛的，"
            "都检查哪些")
    assert answered(matcher, text) == "precheck.what"


def test_a_filler_between_commas_is_not_a_question(matcher):
    # "那个" alone, corrected to 哪个, read as "which method suits me".
    result = matcher.match("嗯，你这个机器人说的我都看不懂，那个，就是说有没有人能直接跟我说")
    assert "supplies.choose" not in [c.code for c in result.candidates]


def test_a_story_is_read_clause_by_clause_and_after_asking_words():
    readings = [text for text, _left_out in focus("户口在老家，就是想问一下登记在哪办")]
    assert readings[0] == "户口在老家，就是想问一下登记在哪办"
    assert "登记在哪办" in readings and "户口在老家" in readings
    assert focus("孕检要空腹吗") == [("孕检要空腹吗", 0.0)]


@pytest.mark.parametrize("text,code", [
    ("叶酸", "folic.what"),
    ("孕检", "precheck.what"),
    ("育儿补贴", "benefit.childcare-subsidy"),
    ("建档", "maternal.booklet"),
])
def test_a_question_that_only_names_a_thing_gets_its_entry(matcher, text, code):
    assert answered(matcher, text) == code


@pytest.mark.parametrize("text", [
    "避孕药吃多了以后还能怀上吗",
    "上环会不会得癌症",
    "怀孕了能吃感冒药吗",
    "宫外孕有什么症状",
    # A health worry named beside an entry's own words: the emergency pill's how-to is not
    # an answer about ectopic pregnancy.
    "吃了紧急避孕药以后还会宫外孕吗",
    # The worry in one clause, the entry's own question in another: the reading the matcher
    # keeps is the second clause, but the advice is for a message about both.
    "我在喂奶，吃避孕药有副作用吗",
    "我有高血压，避孕药吃了不舒服咋办",
    "我现在感冒发烧，紧急避孕药怎么吃",
    # A worry that a resident's attached wording names only as her reason for asking
    # ("生育登记能在手机上办吗 孕吐太厉害了实在不想跑"): the online how-to is no answer to it.
    "孕吐厉害咋办",
    "孕吐太厉害了咋整",
])
def test_a_medical_question_without_an_entry_is_neveranswered(matcher, text):
    """The knowledge base gives no advice on these: no neighbouring entry's advice (stop the
    pill, see a doctor) may be given as if it answered them."""
    assert matcher.match(text).outcome != "answered"


@pytest.mark.parametrize("text", [
    # A prenatal scan the hospital does, not the sex check the base warns against.
    "四维彩超去哪做",
    "四维彩超在哪里能做，多少钱",
    # The hospital's birth certificate and the police's residence permit.
    "孩子的出生证在哪办",
    "外地人办居住证要住满多久",
])
def test_another_offices_service_is_not_answered_with_ours(matcher, text):
    assert matcher.match(text).outcome != "answered"


def test_neighbouring_entries_do_not_win_on_a_shared_topic(matcher):
    assert answered(matcher, "孕检免费吗") == "precheck.free"
    assert answered(matcher, "孕检在哪做") == "precheck.where"
    assert answered(matcher, "孕前检查是什么") == "precheck.what"


def test_the_fitted_thresholds_are_what_the_matcher_uses(matcher):
    data = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert matcher.answer_threshold == data["answer_threshold"]
    assert matcher.suggest_threshold == data["suggest_threshold"]
    assert matcher.calibration.medical_min_coverage == data["medical_min_coverage"]
    assert matcher.calibration.max_unseen == data["max_unseen"]
    assert set(data["model"]["weights"]) == set(FEATURES)
    assert set(data["confidence"]["weights"]) == set(CONFIDENCE_FEATURES)
    assert data["fitted_on"]["split"] == "calibration"
    assert 0 < data["suggest_threshold"] < data["answer_threshold"] < 1


def test_the_committed_thresholds_are_what_the_fit_gives_today():
    # A change to the lexicon, the base or the labelled questions changes the fit: a stale
    # thresholds.yaml would serve models fitted on another engine.
    import subprocess
    import sys

    from tests.faq.shipped import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "scripts/fit_faq_thresholds.py"),
                           "--check"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("model", ["model", "confidence"])
def test_a_thresholds_file_without_a_fitted_weight_is_refused(tmp_path, model):
    data = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))
    del data[model]["weights"]["aspect_miss"]
    stale = tmp_path / "thresholds.yaml"
    stale.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="aspect_miss"):
        load_calibration(stale)


# Text as it arrives: any Unicode, with the kinds of characters residents send weighted in.
_resident_text = st.text(alphabet=st.one_of(
    st.characters(),
    st.sampled_from(list("避孕藥具在哪裡領嗯那个就是说我想问一下请问麻烦问下")),
    st.sampled_from(list("ＴＴ１２３😂👍[微笑]，。？！ ")),
    # Emoji read as words, a skin tone, a variation selector and the joiner of a picture.
    st.sampled_from(list("🤰💰👨🏽☎\ufe0f\u200d👩")),
), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_resident_text)
def test_normalisation_never_raises_and_is_idempotent(text):
    once = question_form(text)
    assert question_form(once) == once
    assert basic(basic(text)) == basic(text)
    assert to_simplified(once) == once


def test_normalisation_folds_width_emoji_and_emoticons():
    assert question_form("ＴＴ在哪領？😂😂[微笑]") == "tt在哪领"
    assert question_form("嗯嗯") == "嗯嗯"  # all filler: kept, so that it can be routed


@pytest.mark.parametrize("typed,meant", [
    ("🤰了要办啥登记", "怀孕了要办啥登记"), ("孕检💰多少", "孕检费用多少"),
    ("💊在哪领", "药在哪领"),
    # Skin tones and variation selectors dress the same picture.
    ("孕前检查👨🏽也得去", "孕前检查男方也得去"), ("☎️多少", "电话多少"),
])
def test_an_emoji_that_stands_for_a_word_is_read_as_it(typed, meant):
    assert words(typed) == words(meant)


@pytest.mark.parametrize("typed,read", [
    ("生 育 登 记 手 机 上 能 弄 吗", "生育登记手机上能弄吗"),
    ("孕前检查 报告 啥 时 候 能 拿", "孕前检查 报告 啥时候能拿"),
    # Words typed with a space between them are words: only single characters are joined.
    ("生育 登记 在 哪 办", "生育 登记 在哪办"),
    ("孕检 免费吗", "孕检 免费吗"),
])
def test_characters_typed_one_at_a_time_with_spaces_are_read_as_a_run(typed, read):
    assert basic(typed) == read


def test_a_question_typed_one_character_at_a_time_is_answered(matcher):
    assert matcher.match("生 育 登 记 要 带 啥 材 料").best.code == "birth-reg.materials"
    assert matcher.match("生 育 登 记 要 带 啥 材 料").outcome == "answered"


def test_emoji_for_a_mood_or_joined_into_one_picture_say_nothing():
    assert words("叶酸在哪领😭🙏") == words("叶酸在哪领")
    # A family (man, woman, girl joined by U+200D) is not 男方 and 女方.
    assert words("👨\u200d👩\u200d👧去登记") == words("去登记")


def test_a_final_bu_asks_and_does_not_negate():
    assert words("还没怀上能先登记不")[-1] == "生育登记"
    assert words("不登记有什么影响")[0] == "不"


def test_sha_is_heard_as_shenme():
    # The synonym table lists 有什么用 and 有啥用 alike, and now every phrase with either.
    assert canonical("叶酸有啥好处") == canonical("叶酸有什么好处")
    assert canonical("要带啥") == canonical("要带什么")


def test_za_is_heard_as_zenme():
    # 怎么用 is a phrase of the table (功能); 咋用 was read as 怎么 + 用.
    assert canonical("发放机咋用") == canonical("发放机怎么用")
    assert canonical("登记咋办") == canonical("登记怎么办")


def test_an_unseen_common_word_weighs_less_than_an_unseen_rare_one():
    from wxapp.faq.index import general_rarity

    # 比较 and 方式 say little about what a question is about; 咖啡 says it is about coffee.
    assert general_rarity("比较") < 0.5 and general_rarity("方式") < 0.5
    assert general_rarity("咖啡") == 1.0
    # A health worry the project lists counts in full, whatever jieba's count for it.
    assert general_rarity("宫外孕") == 1.0


def test_an_errand_a_resident_mentions_in_an_attached_question_stays_someone_elses():
    # "交了社保的，生孩子的钱能报吗" attached to the childbirth-costs entry does not make
    # 社保 the base's business; an entry staff write about it would.
    import dataclasses

    from tests.faq.shipped import KB_PATH
    from wxapp.faq.knowledge_base import load_knowledge_base
    from wxapp.faq.matcher import FaqMatcher

    entries = load_knowledge_base(KB_PATH).entries
    assert "社保" in FaqMatcher.build(entries).index.other_errands
    mention = "我在厂里交了社保的，生孩子的钱能报吗"
    attached = [dataclasses.replace(e, similar_questions=(*e.similar_questions, mention))
                if e.code == "maternal.insurance" else e for e in entries]
    attached_base = FaqMatcher.build(attached)
    assert "社保" in attached_base.index.other_errands
    # … and a question naming it is heard naming someone else's business.
    other_errand = FEATURES.index("other_errand")
    rows = attached_base.candidate_features("社保一个月交多少")
    assert rows and all(row[other_errand] == 1.0 for row in rows.values())
    written = [dataclasses.replace(e, question="社保怎么交？") if e.code == "maternal.insurance"
               else e for e in entries]
    assert "社保" not in FaqMatcher.build(written).index.other_errands
