"""Deterministic synthetic case studies for benchmarks: realistic length (~1,200 words),
Zipf-like word frequencies, and valid front matter drawn from content/taxonomy.yml."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    "What they did",
    "How they work together",
    "What changed",
    "Challenges",
    "Learning for others",
]
NOUNS = """partnership service people carers families staff volunteers council board team
network charity provider budget plan outcome support care health housing recovery peer
worker community locality strategy funding grant evaluation pilot group meeting forum
workshop training skill leadership culture trust relationship voice story choice control
right dignity independence wellbeing isolation loneliness employment transport technology
night visit referral pathway assessment review risk safeguarding advocacy governance
agreement contract tender framework commissioner procurement prevention crisis discharge
hospital ward practice surgery pharmacy clinic school college library centre cafe garden
club football music art walk allotment kitchen shop market island village town city area
region neighbourhood street hub""".split()
# A long tail of sector words: real documents draw on thousands of words, most of them
# rare, and search and similarity costs depend on how many documents share each term.
LONG_TAIL = """abuse access accommodation accountability acute addiction admission adolescent
adult advice aftercare agency alcohol allocation ambulance amputation anxiety appeal
appointment apprenticeship aspiration asylum attendance audit autism bairns baseline
bereavement benefit bid blindness bond breakfast briefing budgeting bungalow bursary
capacity cardiology caseload casework catchment census champion chaplaincy charter
checklist childminder chiropody citizenship claimant clearance clinician coaching cohort
colleague commissioning companionship compassion complaint compliance confidence
consent consultant continence cooking counselling courtroom credit crofting curriculum
cycling dashboard daycare deafness debt decommission delegation dementia dentistry
deprivation designation detox diabetes diagnosis dietitian disadvantage discretion
dispensary distress diversion domiciliary donation dyslexia eligibility emergency
enablement endorsement energy engagement enquiry epilepsy equipment ethnicity eviction
exclusion expenditure facilitator fairness falls fellowship ferry firefighter fitness
flat footfall fostering fragility fuel furniture gambling gateway genealogy geriatric
governor grief guardianship guidance gym hardship hearing heating helpline hoarding
homecare hospice hostel household hygiene illness immunisation incapacity incident
inclusion induction infection inpatient inspection insulin insurance interpreter
intervention interview isolation janitor jobcentre justice kinship knitting language
laundry lease legislation leisure lifeline lifestyle literacy litigation lodging
mapping maternity mealtime mediation medication memory menopause mentoring midwife
migration mobility mortgage motivation neglect nephrology neurology newsletter nutrition
obesity occupancy offender oncology orientation outreach overdose paediatrics pain
palliative paramedic parenting parish pension pharmacist physiotherapy placement
podiatry policing portfolio poverty pregnancy prescription prison probation protocol
psychiatry psychology puberty quarantine questionnaire rapport reablement reception
referee refugee register rehabilitation reliance remand renal rent repair residency
resilience respite retirement ringfence rota safeguard sanction scholarship screening
sedation sensory shelter shielding sibling signposting smoking solicitor speech
sponsorship stroke substance suicide surgery swimming tablet telecare tenancy therapy
toileting tracker trauma triage tribunal tuition unemployment uniform upskilling urgency
vaccination vetting vision volunteering waitlist wardens welfare wheelchair widowhood
workplace workshop youthwork""".split()
VERBS = """supports connects builds trains funds shares leads plans reviews designs delivers
improves listens meets agrees invests tests extends sustains embeds brings helps gives
creates changes measures learns records involves empowers coordinates hosts runs""".split()
ADJECTIVES = """local joint shared new small regular informal formal flexible creative
person-centred community-based preventative integrated independent statutory voluntary
national rural urban practical honest open safe early long-term complex multiple""".split()
ORGANISATIONS = [
    f"{a} {b}"
    for a in ("North", "South", "East", "West", "Central", "Upper", "Lower", "New", "Old", "Great")
    for b in (
        "Carers Centre",
        "Housing Trust",
        "Recovery Network",
        "Community Hub",
        "Advocacy Project",
        "Befriending Service",
        "Men's Shed",
        "Food Larder",
        "Youth Forum",
        "Care Cooperative",
        "Health Link",
        "Mental Health Alliance",
        "Disability Forum",
        "Tenants Group",
        "Volunteer Centre",
        "Arts Collective",
        "Sports Club",
        "Transport Scheme",
        "Digital Inclusion Project",
        "Older People's Network",
    )
]


def zipf_choice(rng: random.Random, words: list[str]) -> str:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return rng.choices(words, weights)[0]


def sentence(rng: random.Random) -> str:
    words = [
        zipf_choice(rng, ADJECTIVES).capitalize(),
        zipf_choice(rng, NOUNS),
        zipf_choice(rng, VERBS),
    ]
    for _ in range(rng.randint(4, 12)):
        pool = rng.choice(
            (NOUNS, LONG_TAIL, LONG_TAIL, ADJECTIVES, ["and", "with", "for", "the", "of", "to"])
        )
        words.append(zipf_choice(rng, pool))
    return " ".join(words) + "."


def body(rng: random.Random, words: int = 1200) -> str:
    sections = []
    per_section = words // len(SECTIONS)
    for heading in SECTIONS:
        paragraphs, count = [], 0
        while count < per_section:
            paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
            count += len(paragraph.split())
            paragraphs.append(paragraph)
        sections.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
    return "\n\n".join(sections) + "\n"


def case_study(rng: random.Random, number: int, taxonomy: dict) -> tuple[str, str]:
    def slugs(name: str) -> list[str]:
        return [term["slug"] for term in taxonomy[name]["terms"]]

    title = f"{rng.choice(ORGANISATIONS)} {zipf_choice(rng, NOUNS)} project {number}"
    front = {
        "title": title,
        "summary": " ".join(sentence(rng) for _ in range(2))[:290].rsplit(" ", 1)[0] + ".",
        "place": rng.choice(slugs("places")),
        "themes": rng.sample(slugs("themes"), rng.randint(1, 3)),
        "principles": rng.sample(slugs("principles"), rng.randint(1, 3)),
        "partners": rng.sample(ORGANISATIONS, rng.randint(2, 4)),
        "started": rng.randint(2010, 2024),
        "focus": rng.sample(slugs("focus"), rng.randint(0, 2)),
        "policies": [],
        "sources": [
            {
                "title": "Synthetic benchmark data",
                "publisher": "Casebook benchmarks",
                "section": "generated",
            }
        ],
        "published": dt.date(2024, 1, 1) + dt.timedelta(days=number % 700),
    }
    if rng.random() < 0.5:
        front["programme"] = rng.choice(slugs("programmes"))
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n"
    return f"case-{number:05d}", text + body(rng)


def generate(count: int, target: Path, seed: int = 2026) -> Path:
    """Write a complete content tree with `count` case studies into `target`."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "case_studies").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "taxonomy.yml", target / "taxonomy.yml")
    (target / "index.md").write_text("# Benchmark\n\n[Case studies](case_studies/index.md)\n")
    taxonomy = yaml.safe_load((target / "taxonomy.yml").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    for number in range(count):
        slug, text = case_study(rng, number, taxonomy)
        (target / "case_studies" / f"{slug}.md").write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    generate(arguments.count, arguments.target, arguments.seed)
