"""The separate consent (单独同意) a resident gives before a birth registration handles her
sensitive personal information (PIPL art. 29: health, pregnancy, ID numbers).

The version is what a resident's ConsentRecord names: change the words here and the version
must change with them, which asks every resident to read and agree again
(``consent.outdated_text``). Clients fetch both from ``GET /api/v1/consent`` and send the
version back, so they never hard-code either."""
from __future__ import annotations

from dataclasses import dataclass

from wxapp.services import township_settings

CONSENT_PURPOSE = "birth_registration"
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_TITLE = "生育登记个人信息处理单独同意书"
# {office_name} and {township_name} come from the settings (the township's own facts).
CONSENT_PARAGRAPHS = (
    "为办理生育登记，{office_name}需要处理您和配偶的以下个人信息：姓名、居民身份证号码、"
    "手机号码、户籍地、婚姻状况、怀孕或生育情况、已有子女情况，以及您上传的证件照片。",
    "其中身份证号码、怀孕和生育情况属于敏感个人信息。这些信息只用于审核和办理生育登记、"
    "出具登记凭证，以及按规定向上级卫生健康部门报送统计数据，不用于其他用途。",
    "您的信息加密保存，只有负责审核的工作人员和您所在村的村级工作人员在办理时可以查看，"
    "每次查看都会留下记录。登记办结后按档案管理规定保存。",
    "您可以随时查看、更正您的登记信息；办结前可以撤回申请并撤回本同意。撤回同意不影响撤回前"
    "已经进行的处理，但没有您的同意，我们无法在网上为您办理生育登记，您仍可到{township_name}"
    "便民服务中心当面办理。",
    "如有疑问，请联系{office_name}（电话：{office_phone}，地址：{office_address}）。",
    "点击“同意”即表示您已阅读并同意以上内容。",
)


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    title: str
    paragraphs: list[str]


def current_consent_text() -> ConsentText:
    facts = township_settings.current().reply_placeholders()
    return ConsentText(CONSENT_PURPOSE, CONSENT_TEXT_VERSION, CONSENT_TITLE,
                       [paragraph.format(**facts) for paragraph in CONSENT_PARAGRAPHS])
