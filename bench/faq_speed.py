"""FAQ speed: index build time, p50/p99 time to answer one question, and the process's
resident memory, with the shipped knowledge base and with a synthetic one of 10,000 entries.

    .venv/bin/python bench/faq_speed.py [--entries 10000] [--questions 2000]

Targets (issue 3): p99 under 5 ms at 10,000 entries, build under 10 s, memory under 300 MB;
the dictionary loads once per process.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wxapp.faq.entries import FaqEntry  # noqa: E402
from wxapp.faq.knowledge_base import load_knowledge_base  # noqa: E402
from wxapp.faq.matcher import FaqMatcher  # noqa: E402
from wxapp.faq.tokenizer import warm_up  # noqa: E402

SUBJECTS = ["生育登记", "孕前检查", "叶酸", "避孕套", "避孕药", "母子健康手册", "产检", "育儿补贴",
            "奖励扶助", "特别扶助", "发放点", "领取码", "宫内节育器", "生育保险", "流动人口",
            "户口簿", "身份证", "结婚证", "出生医学证明", "卫生院", "村卫生室", "疫苗", "体检",
            "婚检", "医保", "社保", "低保", "残疾证", "老年证", "独生子女证"]
ASPECTS = ["怎么办理", "在哪里办", "要多久", "需要什么材料", "多少钱", "谁可以申请", "什么时候办",
           "能不能代办", "怎么查询进度", "可以网上办吗", "要带什么", "有什么条件", "怎么取消",
           "办错了怎么改", "被退回怎么办", "过期了怎么办", "丢了怎么补", "外地人能办吗"]
PLACES = ["", "东湖村", "西岭村", "南桥社区", "镇上", "县里", "卫健办", "村委会", "卫生院"]
PEOPLE = ["", "我", "我老婆", "我老公", "我妈", "孩子", "外地人", "老人"]


def synthetic_entries(count: int, seed: int = 7) -> list[FaqEntry]:
    rng = random.Random(seed)
    entries = []
    for number in range(count):
        subject, aspect = rng.choice(SUBJECTS), rng.choice(ASPECTS)
        place = rng.choice(PLACES)
        question = f"{place}{subject}{aspect}"
        similar = tuple(f"{rng.choice(PEOPLE)}{rng.choice(PLACES)}{subject}{rng.choice(ASPECTS)}"
                        for _ in range(8))
        entries.append(FaqEntry(code=f"synthetic.e{number}", category="synthetic",
                                question=question, similar_questions=similar,
                                keywords=(subject,), answer=f"{subject}{aspect}请咨询卫健办。"))
    return entries


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, entries: list[FaqEntry], questions: list[str]) -> None:
    started = time.perf_counter()
    matcher = FaqMatcher.build(entries)
    build = time.perf_counter() - started
    timings = []
    for question in questions:
        t0 = time.perf_counter()
        matcher.match(question)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"{name}: {len(entries)} entries, build {build:.2f}s, "
          f"p50 {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms, "
          f"max {timings[-1]:.3f} ms, RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()

    print(f"RSS before anything: {rss_mb():.0f} MB")
    started = time.perf_counter()
    warm_up()
    print(f"dictionary load (once per process): {time.perf_counter() - started:.2f}s, "
          f"RSS {rss_mb():.0f} MB")

    data = yaml.safe_load((ROOT / "tests/faq/data/paraphrases.yaml").read_text(encoding="utf-8"))
    real_questions = [p["q"] for p in data["paraphrases"]] + data["out_of_scope"]
    rng = random.Random(11)
    questions = [rng.choice(real_questions) for _ in range(args.questions)]
    measure("shipped", load_knowledge_base(ROOT / "wxapp/faq/data/knowledge_base.yaml").entries,
            questions)
    synthetic = synthetic_entries(args.entries)
    mixed = questions[: args.questions // 2] + [
        f"{rng.choice(PEOPLE)}{rng.choice(SUBJECTS)}{rng.choice(ASPECTS)}"
        for _ in range(args.questions // 2)]
    measure("synthetic", synthetic, mixed)


if __name__ == "__main__":
    main()
