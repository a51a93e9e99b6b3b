"""Regenerate sample_data/: illustrative allocations and a season of weekly returns.

The numbers are synthetic — made up to exercise every indicator kind and every status — and
are NOT from the plan document. Deterministic: the same seed gives the same files.

    python tools/make_sample_data.py
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sample_data"
WEEKS = range(10, 27)  # 2018-W10 .. 2018-W26 (Sundays 2018-03-11 .. 2018-07-01)
YEAR_DAYS = (date(2018, 12, 31) - date(2018, 1, 1)).days

# Illustrative shares of city targets (each list sums to the city target).
ALLOCATIONS = {
    "goals.villages_exited": {
        "yanggao": 55,
        "yunzhou": 40,
        "lingqiu": 60,
        "tianzhen": 30,
        "guangling": 25,
        "hunyuan": 30,
        "zuoyun": 25,
    },
    "goals.people_exited": {
        "yanggao": 18000,
        "yunzhou": 14000,
        "lingqiu": 20000,
        "tianzhen": 12000,
        "guangling": 10000,
        "hunyuan": 13000,
        "zuoyun": 8000,
        "xinrong": 3000,
        "yungang": 2000,
    },
    "housing.relocated_people": {
        "yanggao": 9800,
        "yunzhou": 7200,
        "lingqiu": 8900,
        "tianzhen": 11500,
        "guangling": 9300,
        "hunyuan": 10200,
        "xinrong": 3924,
        "zuoyun": 3000,
    },
    "housing.dangerous_houses": {
        "yanggao": 2200,
        "yunzhou": 1900,
        "lingqiu": 2300,
        "tianzhen": 2600,
        "guangling": 2100,
        "hunyuan": 2500,
        "zuoyun": 1500,
        "xinrong": 1200,
        "yungang": 800,
        "pingcheng": 454,
    },
    "ecology.afforestation": {
        "yanggao": 25000,
        "yunzhou": 22000,
        "lingqiu": 26000,
        "tianzhen": 24000,
        "guangling": 20800,
        "hunyuan": 22000,
    },
    "jobs.trained": {
        "yanggao": 2500,
        "yunzhou": 2200,
        "lingqiu": 2600,
        "tianzhen": 3000,
        "guangling": 2400,
        "hunyuan": 2700,
        "zuoyun": 1600,
        "xinrong": 1500,
        "yungang": 900,
        "pingcheng": 600,
    },
}

# How fast each county works, as a share of the linear pace (1.0 = exactly on pace).
PACE = {
    "yanggao": 1.25,
    "yunzhou": 1.1,
    "lingqiu": 1.3,
    "tianzhen": 0.7,
    "guangling": 0.75,
    "hunyuan": 0.95,
    "zuoyun": 1.15,
    "xinrong": 0.9,
    "yungang": 1.0,
    "pingcheng": 0.6,
}
POOR_VILLAGES = {
    "yanggao": 80,
    "yunzhou": 62,
    "lingqiu": 85,
    "tianzhen": 92,
    "guangling": 70,
    "hunyuan": 78,
    "zuoyun": 25,
    "xinrong": 18,
    "yungang": 6,
}
POOR_PEOPLE = {
    "yanggao": 26000,
    "yunzhou": 19000,
    "lingqiu": 27000,
    "tianzhen": 31000,
    "guangling": 24000,
    "hunyuan": 28000,
    "zuoyun": 9000,
    "xinrong": 5000,
    "yungang": 3000,
}
ALL_VILLAGES = {
    "yanggao": 250,
    "yunzhou": 210,
    "lingqiu": 255,
    "tianzhen": 220,
    "guangling": 190,
    "hunyuan": 300,
    "zuoyun": 140,
    "xinrong": 110,
    "yungang": 120,
    "pingcheng": 30,
}
# City-wide targets without allocations: a share per county of the city target.
CITY_SPLIT = {
    "industry.pv_stations": 120,
    "industry.pv_capacity": 75380,
    "jobs.placed": 20000,
    "village.safe_water": 60000,
    "ecology.eco_jobs": 10000,
    "village.investment": 1_000_000_000,
    "industry.funds_raised": 1_000_000_000,
}
MILESTONES = ("industry.processing_plant", "industry.workshop", "industry.tourism_project")
ACTIVITIES = (
    "publicity.policy_briefings",
    "satisfaction.night_school",
    "teams.work_team_visits",
    "data.record_updates",
    "industry.featured_projects",
)


def sunday(week: int) -> date:
    return date.fromisocalendar(2018, week, 7)


def share_done(area: str, week: int, rng: random.Random, due: date) -> float:
    days = (sunday(week) - date(2018, 1, 1)).days
    window = (due - date(2018, 1, 1)).days
    return min(1.0, max(0.0, PACE[area] * days / window * rng.uniform(0.97, 1.03)))


def rows_for_week(week: int, rng: random.Random, last: dict[tuple[str, str], float]) -> list:
    rows: list[tuple[str, str, object, str]] = []
    day = sunday(week).isoformat()

    def cumulative(ind: str, area: str, value: float, note: str = "") -> None:
        value = max(value, last.get((ind, area), 0))  # running totals never go down here
        last[(ind, area)] = value
        rows.append((day, area, ind, round(value), note))

    for ind, shares in ALLOCATIONS.items():
        due = date(2018, 12, 31)
        if ind == "housing.relocated_people":
            pass
        for area, share in shares.items():
            if area == "pingcheng" and week % 3:  # an office that reports irregularly
                continue
            if ind == "jobs.trained":  # reported as weekly increments
                rows.append(
                    (day, area, ind, round(share / 52 * PACE[area] * rng.uniform(0.5, 1.5)), "")
                )
                continue
            relocation_due = (
                date(2019, 12, 31)
                if area not in ("yanggao", "yunzhou", "lingqiu")
                and ind.startswith("housing.relocated")
                else due
            )
            done = share_done(area, week, rng, relocation_due) * share
            cumulative(ind, area, done)
            if ind == "housing.relocated_people":
                registered = round(done * 0.724)
                cumulative("housing.relocated_registered", area, registered)
                cumulative("housing.relocated_alongside", area, round(done) - registered)
    for ind, total in CITY_SPLIT.items():
        due = date(2019, 12, 31) if ind == "industry.funds_raised" else date(2018, 12, 31)
        for area in ("yanggao", "yunzhou", "lingqiu", "tianzhen", "guangling", "hunyuan"):
            cumulative(ind, area, share_done(area, week, rng, due) * total / 6)
    for area, n in POOR_VILLAGES.items():
        if week == WEEKS[0]:
            rows.append((day, area, "goals.poor_villages", n, "建档立卡台账"))
            rows.append((day, area, "goals.poor_people", POOR_PEOPLE[area], "建档立卡台账"))
            rows.append((day, area, "welfare.dibao_eligible", round(POOR_PEOPLE[area] * 0.2), ""))
        cumulative(
            "industry.pv_villages", area, share_done(area, week, rng, date(2018, 10, 31)) * n
        )
        cumulative(
            "industry.income_50k_villages",
            area,
            share_done(area, week, rng, date(2018, 12, 31)) * n,
        )
        cumulative(
            "industry.income_100k_villages",
            area,
            share_done(area, week, rng, date(2018, 12, 31)) * n * 0.35,
        )
        cumulative(
            "welfare.dibao_covered", area, min(1.0, 0.6 + week / 60) * POOR_PEOPLE[area] * 0.2
        )
    for area, n in ALL_VILLAGES.items():
        if week == WEEKS[0]:
            rows.append((day, area, "village.villages_total", n, ""))
        if area != "pingcheng":
            cumulative(
                "village.upgraded", area, share_done(area, week, rng, date(2018, 12, 31)) * n * 0.8
            )
    if week == WEEKS[0]:
        rows.append((day, "datong", "village.demo_villages", 100, "市级示范村名单"))
        rows.append((day, "datong", "ecology.greening_projects", 40, ""))
    cumulative("village.demo_exiting", "datong", min(70, 40 + week))
    cumulative("ecology.greening_by_coops", "datong", min(40, 20 + week))
    for area in ("tianzhen", "guangling", "hunyuan", "xinrong"):
        for ind in (
            "housing.relocation_works_completion",
            "housing.relocation_investment_completion",
        ):
            cumulative(ind, area, min(100, 10 + week * 2.2 * PACE[area]))
    for area, when in (("lingqiu", 18), ("yanggao", 22), ("yunzhou", 25)):
        for ind in MILESTONES[:2]:
            if week == when:
                rows.append((day, area, ind, 1, "验收报告已存档"))
    for area in ("yanggao", "yunzhou", "lingqiu", "tianzhen", "guangling", "hunyuan", "zuoyun"):
        for ind in ACTIVITIES:
            if rng.random() < 0.6:
                rows.append((day, area, ind, rng.randint(1, 4), ""))
    return rows


def main() -> None:
    rng = random.Random(2018)
    (OUT / "returns").mkdir(parents=True, exist_ok=True)
    with open(OUT / "allocations.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "area", "value", "note"])
        for ind, shares in ALLOCATIONS.items():
            for area, value in shares.items():
                w.writerow([ind, area, value, "illustrative, not from the plan"])
    last: dict[tuple[str, str], float] = {}
    for week in WEEKS:
        with open(
            OUT / "returns" / f"2018-W{week:02d}.csv", "w", newline="", encoding="utf-8"
        ) as f:
            w = csv.writer(f)
            w.writerow(["date", "area", "indicator", "value", "note"])
            w.writerows(rows_for_week(week, rng, last))


if __name__ == "__main__":
    main()
