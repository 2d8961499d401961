"""Instructions for use (managers and HR) and a pre-filled DPIA template (the data protection
officer), in English and Swedish, from the trained model's record — the deployer's documents the EU
AI Act (Art. 13, 26) and the GDPR (Art. 35) ask for. Pure: the record in, texts out; written beside
the model card (`report/model_card.py`) into the model folder and the site. docs/governance.md maps
each article to them.
"""

from __future__ import annotations

from flightrisk.features.catalog import Catalog
from flightrisk.i18n import lever_name
from flightrisk.report.model_card import markdown_to_page, number

INSTRUCTION_FILES = {
    "en": ("instructions.md", "instructions.html", "dpia_template.md"),
    "sv": ("instructions.sv.md", "instructions.sv.html", "dpia_template.sv.md"),
}

INSTRUCTIONS = {
    "en": """# Instructions for use: the flight-risk report

For managers and HR who read the report. The model card (model_card.html) says how the model was
built and measured; this page says how to use what it shows.

## What a risk means

- **Risk** is the estimated chance that a person leaves *voluntarily* {within} if things go
  on as they are. Of 100 people at 30 %, about 30 would leave; which ones, no one
  can say. Bands: low below {low}, medium from {low}, high from {high}.
- It is a statement about people *like* this person in the recorded data, not a judgement of them.
  Someone at high risk may stay for reasons the system never sees, and someone at low risk may leave.
- The risk is **never** a reason for a decision about the person: not pay, promotion, performance
  rating, discipline or dismissal. No such decision may draw on it (the model card's "Out of scope").

## What a contribution means

- Each lever's **points** say how much of the risk the model ties to that lever's recorded signals
  (pay against peers, months since a promotion, recognitions, workload, the manager, the culture).
  The points add up to the risk, with the organisation's base rate.
- A contribution says *what the model reads*, not *why the person would leave*. Where the page marks
  a lever as "a signal the model reads, not an established cause", acting on it may change nothing.
- A **what-if** ("a raise to the peer median would lower the risk by 4 points") is an estimate from
  the model and a causal test on past data, with its uncertainty; it is a reason to ask, not a promise.

## How to start a conversation

1. **Listen first.** Ask about the person's work, ambitions and what would make them stay. Do not
   mention the score or the report; the conversation is about them, not about a number.
2. Check what the page shows against what you know. The data can be old or wrong (a missed
   recognition, a pay change not yet recorded).
3. If an action makes sense to both of you, agree on it and record it (below).
4. Never tell others a person's risk. Team pages show no figure for fewer than {k} people.

## Recording what was done, and disagreement

- Record that you read the page, whether you **agree** with what it shows, and which action you took
  (a catalog action or your own words), with `flightrisk review`. If you disagree, say so: the records
  are how the organisation learns where the model is wrong, and they are kept unchanged (each line is
  chained to the one before).
- A person may ask what the tool holds and shows about them (`flightrisk access`), and may ask to be
  removed (`flightrisk forget`); HR handles both.

## When not to use it

- For people, roles or periods unlike the training data (the model card's "Data"), or when the
  report's "low confidence" mark is shown for a person.
- When the report is older than the latest month of data.
""",
    "sv": """# Bruksanvisning: rapporten om risk att sluta

För chefer och HR som läser rapporten. Modellkortet (model_card.sv.html) beskriver hur modellen är
byggd och mätt; den här sidan beskriver hur det den visar ska användas.

## Vad en risk betyder

- **Risk** är den uppskattade chansen att en person slutar *frivilligt* {within} om allt
  fortsätter som nu. Av 100 personer på 30 % skulle ungefär 30 sluta; vilka kan
  ingen säga. Nivåer: låg under {low}, medel från {low}, hög från {high}.
- Det är ett påstående om människor *som liknar* personen i de registrerade uppgifterna, inte ett
  omdöme om personen. Någon med hög risk kan stanna av skäl som systemet aldrig ser, och någon med låg
  risk kan sluta.
- Risken är **aldrig** skäl till ett beslut om personen: inte lön, befordran, prestationsbedömning,
  disciplinåtgärd eller uppsägning. Inget sådant beslut får grunda sig på den (modellkortets
  "Utanför avsedd användning").

## Vad ett bidrag betyder

- Varje spaks **procentenheter** anger hur mycket av risken modellen knyter till spakens registrerade
  signaler (lön mot kollegor, månader sedan befordran, erkännanden, arbetsbelastning, chefen,
  kulturen). Tillsammans med organisationens basnivå summerar de till risken.
- Ett bidrag säger *vad modellen läser*, inte *varför personen skulle sluta*. Där sidan markerar en
  spak som "en signal modellen läser, inte en fastställd orsak" kan en åtgärd där vara verkningslös.
- Ett **tänk-om** ("en höjning till kollegornas median skulle sänka risken med 4 procentenheter") är
  en uppskattning från modellen och ett orsakstest på tidigare data, med sin osäkerhet; ett skäl att
  fråga, inget löfte.

## Hur ett samtal börjar

1. **Lyssna först.** Fråga om arbetet, ambitionerna och vad som skulle få personen att stanna. Nämn
   inte risken eller rapporten; samtalet handlar om personen, inte om en siffra.
2. Jämför det sidan visar med det du vet. Uppgifterna kan vara gamla eller fel (ett erkännande som
   inte registrerats, en lönejustering som ännu inte syns).
3. Om en åtgärd känns rätt för er båda, kom överens om den och registrera den (nedan).
4. Berätta aldrig en persons risk för andra. Teamsidor visar inga siffror för färre än {k} personer.

## Att registrera vad som gjordes, och när du inte håller med

- Registrera att du läst sidan, om du **håller med** om det den visar och vilken åtgärd du vidtog
  (en åtgärd ur katalogen eller egna ord) med `flightrisk review`. Säg till om du inte håller med:
  registreringarna är hur organisationen lär sig var modellen har fel, och de ändras aldrig (varje
  rad är kedjad till den före).
- En person kan begära att få veta vad verktyget har och visar om hen (`flightrisk access`) och kan
  begära att tas bort (`flightrisk forget`); HR hanterar båda.

## När verktyget inte ska användas

- För personer, roller eller perioder som inte liknar träningsdata (modellkortets "Data"), eller när
  rapporten markerar en person med "låg säkerhet".
- När rapporten är äldre än den senaste månaden med data.
""",
}

DPIA = {
    "en": """# Data protection impact assessment (GDPR Art. 35): pre-filled template

Filled in from the trained model's record; the sections marked **[to complete]** are the deploying
company's to answer. Keep this with the model card (model_card.md) of the same model.

## 1. The processing

- **Purpose:** to estimate, per sales rep and month, the chance of leaving voluntarily
  {within} and the recorded signals behind it, so that managers can start a conversation.
  Not for any decision about a person (AI Act Annex III point 4; GDPR Art. 22).
- **Model:** {kind}; trained {created}; training data SHA-256 `{data_hash}`.
- **Data categories used as inputs ({features} features):**
{feature_lines}
- **Protected data:** {protected} — used only for the fairness audit, never as model inputs.
- **Survey answers:** model inputs only; never shown per person.
- **Data subjects:** employees in sales roles. **[to complete: number, countries]**
- **Recipients:** managers (their own team), HR. **[to complete: who exactly; access control]**
- **Retention:** scores and reports older than the configured retention are deleted
  (`flightrisk forget` removes a person on request). **[to complete: the period chosen and why]**

## 2. Necessity and proportionality

- **Legal basis:** **[to complete: e.g. legitimate interest (Art. 6(1)(f)) with a balancing test]**
- **Less intrusive alternatives considered:** **[to complete: e.g. engagement surveys alone]**
- **Information to employees (Art. 13–14):** **[to complete: how and when they are told]**

## 3. Risks to the people concerned, and measures

| risk | measure in the tool | left to the company |
|---|---|---|
| A decision is drawn from the score (Art. 22) | the model card's out-of-scope list; instructions for use; pages invite a conversation, not an action | **[to complete: policy, training of managers]** |
| Unequal treatment of a group | fairness audit and gate at every training (calibration and ranking within group, with intervals; proxy check) | **[to complete: who reviews overrides]** |
| Exposure of a person's data | no figure on fewer than 5 people; no survey answers per person; logs carry no names or salaries | **[to complete: access control to the report]** |
| Wrong or stale data | validation of every input table; low-confidence mark; records of disagreement | **[to complete: data owners]** |
| No way to object or be forgotten | `flightrisk access`, `flightrisk forget`, records of both | **[to complete: the request process]** |

## 4. Consultation and sign-off

- Works council / employee representatives consulted: **[to complete]**
- DPO's opinion: **[to complete]**
- Decision and date: **[to complete]**
""",
    "sv": """# Konsekvensbedömning avseende dataskydd (GDPR art. 35): förifylld mall

Ifylld från den tränade modellens uppgifter; avsnitten markerade **[fylls i]** besvaras av företaget
som använder verktyget. Förvara den med samma modells modellkort (model_card.sv.md).

## 1. Behandlingen

- **Syfte:** att per säljare och månad uppskatta chansen att sluta frivilligt {within}
  och de registrerade signalerna bakom, så att chefer kan inleda ett samtal. Inte för något beslut om
  en person (AI-förordningen bilaga III punkt 4; GDPR art. 22).
- **Modell:** {kind}; tränad {created}; träningsdata SHA-256 `{data_hash}`.
- **Kategorier av uppgifter som används ({features} variabler):**
{feature_lines}
- **Skyddade uppgifter:** {protected} — används bara i rättvisegranskningen, aldrig i modellen.
- **Enkätsvar:** används i modellen; visas aldrig per person.
- **Registrerade:** anställda i säljroller. **[fylls i: antal, länder]**
- **Mottagare:** chefer (eget team), HR. **[fylls i: vilka exakt; behörighetsstyrning]**
- **Lagring:** poäng och rapporter äldre än den inställda lagringstiden raderas (`flightrisk forget`
  tar bort en person på begäran). **[fylls i: vald tid och varför]**

## 2. Nödvändighet och proportionalitet

- **Rättslig grund:** **[fylls i: t.ex. berättigat intresse (art. 6.1 f) med intresseavvägning]**
- **Mindre ingripande alternativ som övervägts:** **[fylls i: t.ex. enbart medarbetarenkäter]**
- **Information till de anställda (art. 13–14):** **[fylls i: hur och när de informeras]**

## 3. Risker för de berörda, och åtgärder

| risk | åtgärd i verktyget | kvar för företaget |
|---|---|---|
| Ett beslut grundas på risken (art. 22) | modellkortets lista över otillåten användning; bruksanvisningen; sidorna bjuder in till samtal, inte åtgärd | **[fylls i: policy, utbildning av chefer]** |
| Olika behandling av en grupp | rättvisegranskning och spärr vid varje träning (kalibrering och rangordning inom grupp, med intervall; kontroll av ombud) | **[fylls i: vem granskar undantag]** |
| Exponering av en persons uppgifter | ingen siffra om färre än 5 personer; inga enkätsvar per person; loggar utan namn och löner | **[fylls i: behörighet till rapporten]** |
| Felaktiga eller gamla uppgifter | kontroll av varje indatatabell; markering av låg säkerhet; registrering av invändningar | **[fylls i: dataägare]** |
| Ingen möjlighet att invända eller glömmas | `flightrisk access`, `flightrisk forget`, registrering av båda | **[fylls i: hur begäranden hanteras]** |

## 4. Samråd och beslut

- Samråd med fack / arbetstagarrepresentanter: **[fylls i]**
- Dataskyddsombudets yttrande: **[fylls i]**
- Beslut och datum: **[fylls i]**
""",
}

KIND_WORDS = {
    "en": {
        "snapshots": "a 12-month classifier",
        "hazard": "a monthly hazard model",
        "flat": "a classifier on a flat table",
        "flat_hazard": "a hazard model on a flat table",
    },
    "sv": {
        "snapshots": "en 12-månadersklassificerare",
        "hazard": "en månatlig hasardmodell",
        "flat": "en klassificerare på en platt tabell",
        "flat_hazard": "en hasardmodell på en platt tabell",
    },
}


def _percent(value: float) -> str:
    return f"{float(value):.0%}"


def instruction_documents(record: dict, catalog: Catalog) -> dict[str, str]:
    """instructions(.sv).md/.html and dpia_template(.sv).md, filled in from the model's record."""
    metrics = record.get("metrics") or {}
    horizon = record.get("horizon_months") or max(record.get("horizons") or [0])
    low, high = record.get("risk_bands") or (record.get("settings") or {}).get("risk_bands") or (0.15, 0.35)
    fairness = metrics.get("fairness") or {}
    k = fairness.get("min_group_size", 5)
    # Only what this model's audit covered: a flat table that declared none has none.
    protected = {
        "en": ", ".join(fairness.get("groups", {})) or "none declared for this model",
        "sv": ", ".join(fairness.get("groups", {})) or "inga angivna för denna modell",
    }
    # A flat table's label may count leaving over no fixed period ("left during the observation").
    within = {
        "en": f"within the next {number(int(horizon))} months"
        if horizon
        else "as the table's label counts leaving",
        "sv": f"inom de närmaste {number(int(horizon))} månaderna"
        if horizon
        else "så som tabellens utfall räknar det",
    }
    out = {}
    for lang, (md_name, html_name, dpia_name) in INSTRUCTION_FILES.items():
        text = INSTRUCTIONS[lang].format(within=within[lang], low=_percent(low), high=_percent(high), k=k)
        out[md_name] = text
        out[html_name] = markdown_to_page(text, text.splitlines()[0].lstrip("# "), lang)
        by_lever = {}
        for spec in catalog.features:
            by_lever.setdefault(spec.lever, []).append(spec.label_sv if lang == "sv" else spec.label_en)
        feature_lines = "\n".join(
            f"  - {lever_name(lever, lang)}: {'; '.join(names)}" for lever, names in by_lever.items()
        )
        out[dpia_name] = DPIA[lang].format(
            within=within[lang],
            kind=KIND_WORDS[lang].get(record.get("kind", ""), record.get("kind", "")),
            created=record.get("created_utc", ""),
            data_hash=record.get("data_sha256", ""),
            features=len(catalog.features),
            feature_lines=feature_lines,
            protected=protected[lang],
        )
    return out
