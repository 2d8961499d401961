"""Every word flightrisk shows a reader, one table per language with the same keys in each: the
report's page words, the sentences of a person's drivers and notes, lever and band names, event
names and units. Only data: `i18n.Words` reads it; the code that fills the `{}` fields has no words
of its own. A new language is one more table of each kind here (and its locale in `i18n.LOCALES`).
"""

from __future__ import annotations

LANGUAGES = ("en", "sv")

LEVER_NAMES = {
    "compensation": ("Pay and bonus", "Lön och bonus"),
    "development": ("Development", "Utveckling"),
    "recognition": ("Recognition", "Erkännande"),
    "workload": ("Workload and targets", "Arbetsbelastning och mål"),
    "leadership": ("Leadership", "Ledarskap"),
    "culture": ("Culture", "Kultur"),
    "context": ("Context", "Sammanhang"),
}
# The parts the packaged catalog splits a lever into (`part:`); another catalog's parts keep their names.
PART_NAMES = {
    "attainment": ("attainment", "måluppfyllelse"),
    "load": ("load", "belastning"),
    "check_ins": ("one-to-ones", "avstämningar"),
}
BANDS = {"low": ("low", "låg"), "medium": ("medium", "medel"), "high": ("high", "hög")}

# Unit words after a number (the catalog's `unit:`), and their singular after exactly 1.
UNITS = {
    "months": ("months", "månader"),
    "years": ("years", "år"),
    "days": ("days", "dagar"),
    "hours": ("hours", "timmar"),
    "km": ("km", "km"),
    "percent": ("%", "%"),
    "currency": ("", ""),
    "count": ("", ""),
    "score": ("", ""),
    "ratio": ("", ""),
    "share": ("", ""),
    "rank": ("", ""),
    "level": ("", ""),
    "category": ("", ""),
}
SINGULAR = {
    "months": ("month", "månad"),
    "years": ("year", "år"),
    "days": ("day", "dag"),
    "hours": ("hour", "timme"),
}

# Months-since features: (what the event is called, "none of it") per language.
EVENTS = {
    "months_since_last_raise": (("pay raise", "No pay raise"), ("löneökning", "Ingen löneökning")),
    "months_since_promotion": (("promotion", "No promotion"), ("befordran", "Ingen befordran")),
    "months_since_recognition": (("recognition", "No recognition"), ("erkännande", "Inget erkännande")),
    "months_since_check_in": (
        ("check-in with the manager", "No check-in with the manager"),
        ("avstämning med chefen", "Ingen avstämning med chefen"),
    ),
}
ROLE_PLURALS = {
    "SDR": ("SDRs", "SDR:er"),
    "Account Executive": ("Account Executives", "Account Executives"),
    "Senior Account Executive": ("Senior Account Executives", "Senior Account Executives"),
    "Key Account Manager": ("Key Account Managers", "Key Account Managers"),
    "Team Lead": ("Team Leads", "teamledare"),
}
# Changes whose sign is the news: the unit of the difference per language.
SIGNED_UNITS = {
    "attainment_trend": ("percentage points", "procentenheter"),
    "quota_raise_pct": ("%", "%"),
    "performance_minus_recognition_rank": ("percentile points", "percentilenheter"),
}


def pair(values: tuple[str, str], lang: str) -> str:
    """The `lang` entry of an (en, sv) pair."""
    return values[LANGUAGES.index(lang)]


REPORT_EN = {
    "title": "Flight risk report",
    "skip": "Skip to the content",
    "trend_person": "The last 12 months",
    "trend_team": "The team over the last 12 months",
    "trend_alt": "Risk by month",
    "survival_heading": "How soon",
    "survival_note": "If nothing changes for this person: a {r3} chance of leaving within 3 months, {r12} "
    "within 12. A raise, a promotion or a new manager would change this; people let go are not counted as "
    "staying or leaving.",
    "survival_alt": "Chance of still being here",
    "survival_within": "Within",
    "survival_months": "{months} months",
    "survival_leave": "Leaves",
    "survival_stay": "Still here",
    "month": "Month",
    "since_last_month": "Since last month: risk {change}.",
    "largest_change": "The largest change: {lever} {change}.",
    "managers_note": "Teams with the most expected exits first (the sum of their people's risks). Teams under "
    "5 people show no figures and are listed last, by name.",
    "managers_caption": "Teams by expected exits within the horizon",
    "expected_exits": "Expected exits",
    "heatmap": "Teams and levers",
    "heatmap_note": "Average points each lever adds in each team (counting only where it raises risk), with "
    "the organisation's average as the first row. Teams under 5 people are not shown.",
    "heatmap_caption": "Average points added per lever, by team",
    "organisation_average": "Organisation (average)",
    "top_people_note": "The {shown} people with the highest risk of {total}.",
    "all_people_link": "Everybody: search, filter and export",
    "all_people": "All people",
    "all_teams": "All teams",
    "top_teams_note": "The {shown} teams with the most expected exits of {total}.",
    "all_teams_link": "Every team, with the heatmap",
    "people_caption": "People, highest risk first",
    "filters": "Filters",
    "search": "Search by name",
    "all": "All",
    "shown": "Shown:",
    "export_csv": "Download the shown rows (CSV)",
    "lever_chart_alt": "Points each lever adds to or takes from the risk",
    "histogram_alt": "Number of people per risk interval of 5 percentage points",
    "as_table": "The figures as a table",
    "lever": "Lever",
    "org_mean_risk": "Organisation's average risk",
    "as_of": "As of",
    "horizon_line": "risk of leaving within {horizon} months",
    "within": "of leaving within {horizon} months",
    "within_flat": "of being among the leavers",
    "model": "Model",
    "overview": "Overview",
    "people": "People",
    "person": "Person",
    "risk": "Risk",
    "band": "Band",
    "percentile": "Percentile",
    "manager": "Manager",
    "region": "Region",
    "role": "Role",
    "top_lever": "Top lever",
    "count_per_band": "People per risk band",
    "distribution": "Risk distribution",
    "org_levers": "What drives risk across the organisation",
    "org_levers_note": "Average percentage points each lever family adds to people's risk, counting only "
    "where it raises it.",
    "team_levers": "What drives risk in this team",
    "managers": "Managers",
    "team": "Team",
    "team_size": "People",
    "mean_risk": "Average risk",
    "high_risk": "High risk",
    "suppressed": "Not shown: fewer than 5 people (privacy threshold).",
    "levers": "Why the model flags this person: what it reads, by lever",
    "levers_note": "Percentage points each lever adds to (+) or takes from (−) the average risk of {base} "
    "(the average of everyone the model learned from). This is what the model reads in the data, not "
    "proof of a cause.",
    "effects": "What pulling a lever would do",
    "effects_note": "The model's points for each lever, rescaled to the lever's measured size: how strongly "
    "exits follow that lever in a model of monthly exits that reads each lever apart from the others, fitted "
    "on two halves of the people that must agree. A lever marked * is a signal the model reads, not an "
    "established cause, and counts a tenth of its size (nothing where the data show it does nothing).",
    "not_established_mark": " *",
    "drivers": "What drives this person's risk",
    "no_drivers": "No lever adds a point or more to the risk.",
    "strengths": "What keeps the risk down",
    "context_heading": "Context",
    "context_note": "Who the person is in the organisation: it explains part of the risk, but it is not "
    "something to act on.",
    "leader_note": (
        "This person leads a team. Leadership here means the support they get from their own manager, not "
        "how they lead: a manager reading their own page reads about their manager's part, and HR reads "
        "the same figures."
    ),
    "actions": "Actions to discuss",
    "actions_note": "Model estimates of how the risk would change, not promises. Start by listening: "
    "ask what the person needs and wants before acting.",
    "action": "Action",
    "risk_now": "Risk now",
    "risk_after": "Risk after",
    "change": "Change",
    "no_actions": "No catalog action lowers the estimated risk.",
    "low_confidence": "Some values lie outside what the model was trained on; read this page with extra care.",
    "how_to_read": "How to read this",
    "how_to_read_text": (
        "Risk is the model's calibrated probability that the person leaves voluntarily within {horizon} months. "
        "It is split exactly into the average risk (of everyone the model learned from) plus one contribution "
        "per lever family, computed with exact "
        "TreeSHAP on the model and carried into percentage points, so the parts add up to the risk. "
        "A contribution shows an association the model learned from past data, not a proven cause."
    ),
    "how_to_read_flat": (
        "Risk is the model's calibrated probability that the person is among those who leave, as the table "
        "you brought records leaving. It is split exactly into the average risk (of everyone the model learned "
        "from) plus one contribution per lever "
        "family, computed with exact Shapley values and carried into percentage points, so the parts add up to "
        "the risk. A contribution shows an association the model learned from past data, not a proven cause."
    ),
    "notice": (
        "This page supports a conversation; it decides nothing. No decision about a person may rest on it "
        "alone. To question or correct it, contact {contact}."
    ),
    "contact": "HR (people analytics)",
    "back": "Back to the overview",
    "bands": {band: en for band, (en, _) in BANDS.items()},
    "generated": "Generated by flightrisk",
    "model_card": "Model card: how the model was built and measured",
    "instructions": "Instructions for use",
    "team_of": "Team of {manager}",
    "points": "points",
    "plan_title": "Retention plan",
    "plan_link": "Retention plan: who, what, at what cost",
    "plan_note": (
        "A plan is advice for a conversation, not a decision. Each figure is the model's estimate of what "
        "an action would change, checked on simulated organisations (see the documentation) but not on "
        "this one. Talk with the person first: ask what they need before acting."
    ),
    "plan_method": (
        "How it is chosen: for each person, the action (or two together) with the most replacement cost "
        "saved for its cost — expected exits avoided times what replacing the person would cost, minus "
        "what the action costs a year — and then the best of those, in order of value per krona, until "
        "the budget is spent. An action done for a whole team is weighed once per team: its cost is "
        "every member's share, its value every member's expected gain."
    ),
    "plan_on_signals": (
        "{exits} of the expected exits avoided ({people} people) rest on levers the data have not "
        "established as causes: signals the model reads. A holdout (some of the plan's people left out "
        "of this round at random) measures what the actions do."
    ),
    "plan_budget": "Budget a year",
    "plan_spent": "Planned cost",
    "plan_people": "People in the plan",
    "plan_exits": "Expected exits avoided",
    "plan_value_per_krona": "Replacement cost saved per krona",
    "plan_by_team": "By team",
    "plan_who_what": "Who and what",
    "plan_action": "Action",
    "plan_cost": "Cost a year",
    "plan_change": "Expected change in risk",
    "plan_team_hidden": "Fewer than 5 people in this team: the actions are listed without figures.",
    "plan_for_team": "In the retention plan",
    "plan_for_person": "In the retention plan",
    "plan_none": "Nobody in this team is in the plan.",
    "plan_differs": (
        "The plan weighs each action's expected effect against its cost, across everybody within the "
        "budget, so it can choose another action than the one that lowers this person's risk most."
    ),
    "and": "and",
    "currency": "SEK",
    "raise_of": "a raise of {amount} a month",
    "for_the_team": "for the whole team",
}

REPORT_SV = {
    "title": "Rapport om avgångsrisk",
    "skip": "Hoppa till innehållet",
    "trend_person": "De senaste 12 månaderna",
    "trend_team": "Teamet de senaste 12 månaderna",
    "trend_alt": "Risk per månad",
    "survival_heading": "Hur snart",
    "survival_note": "Om ingenting ändras för personen: {r3} risk att sluta inom 3 månader, {r12} inom 12. "
    "En löneökning, en befordran eller en ny chef ändrar det; den som sägs upp räknas varken som kvar eller "
    "som att ha slutat.",
    "survival_alt": "Chans att vara kvar",
    "survival_within": "Inom",
    "survival_months": "{months} månader",
    "survival_leave": "Slutar",
    "survival_stay": "Kvar",
    "month": "Månad",
    "since_last_month": "Sedan förra månaden: risken {change}.",
    "largest_change": "Den största förändringen: {lever} {change}.",
    "managers_note": "Team med flest förväntade avgångar först (summan av medarbetarnas risker). Team med färre "
    "än 5 personer visar inga siffror och står sist, i namnordning.",
    "managers_caption": "Team efter förväntade avgångar inom tidshorisonten",
    "expected_exits": "Förväntade avgångar",
    "heatmap": "Team och hävstänger",
    "heatmap_note": "Genomsnittligt antal procentenheter varje hävstång lägger till i varje team (räknat där "
    "den höjer risken), med organisationens genomsnitt som första rad. Team med färre än 5 personer visas inte.",
    "heatmap_caption": "Genomsnittligt tillägg per hävstång, per team",
    "organisation_average": "Organisationen (genomsnitt)",
    "top_people_note": "De {shown} med högst risk av {total}.",
    "all_people_link": "Alla: sök, filtrera och exportera",
    "all_people": "Alla medarbetare",
    "all_teams": "Alla team",
    "top_teams_note": "De {shown} team med flest förväntade avgångar av {total}.",
    "all_teams_link": "Alla team, med värmekartan",
    "people_caption": "Medarbetare, högst risk först",
    "filters": "Filter",
    "search": "Sök på namn",
    "all": "Alla",
    "shown": "Visas:",
    "export_csv": "Ladda ner raderna som visas (CSV)",
    "lever_chart_alt": "Procentenheter som varje hävstång lägger till eller drar från risken",
    "histogram_alt": "Antal medarbetare per riskintervall om 5 procentenheter",
    "as_table": "Siffrorna som tabell",
    "lever": "Hävstång",
    "org_mean_risk": "Organisationens genomsnittliga risk",
    "as_of": "Per",
    "horizon_line": "risk att sluta inom {horizon} månader",
    "within": "att sluta inom {horizon} månader",
    "within_flat": "att höra till dem som slutar",
    "model": "Modell",
    "overview": "Översikt",
    "people": "Medarbetare",
    "person": "Medarbetare",
    "risk": "Risk",
    "band": "Riskklass",
    "percentile": "Percentil",
    "manager": "Chef",
    "region": "Region",
    "role": "Roll",
    "top_lever": "Största hävstång",
    "count_per_band": "Antal per riskklass",
    "distribution": "Riskfördelning",
    "org_levers": "Vad som driver risken i organisationen",
    "org_levers_note": "Genomsnittligt antal procentenheter varje hävstång lägger till, räknat där den "
    "höjer risken.",
    "team_levers": "Vad som driver risken i teamet",
    "managers": "Chefer",
    "team": "Team",
    "team_size": "Personer",
    "mean_risk": "Genomsnittlig risk",
    "high_risk": "Hög risk",
    "suppressed": "Visas inte: färre än 5 personer (integritetsgräns).",
    "levers": "Varför modellen flaggar personen: vad den läser, per hävstång",
    "levers_note": "Procentenheter som varje hävstång lägger till (+) eller drar från (−) den genomsnittliga "
    "risken {base} (snittet för alla som modellen lärt sig av). Det är vad modellen läser i uppgifterna, inget "
    "bevis för en orsak.",
    "effects": "Vad det skulle göra att dra i en hävstång",
    "effects_note": "Modellens procentenheter för varje hävstång, omräknade till hävstångens uppmätta storlek: hur "
    "starkt avgångar följer just den hävstången i en modell av månatliga avgångar som läser varje hävstång för "
    "sig, skattad på två halvor av personalen som måste stämma överens. En hävstång märkt * är en signal som "
    "modellen läser, ingen belagd orsak, och räknas med en tiondel av sin storlek (inget där data visar att den "
    "inte gör något).",
    "not_established_mark": " *",
    "drivers": "Vad som driver risken",
    "no_drivers": "Ingen hävstång lägger till en procentenhet eller mer till risken.",
    "strengths": "Det som håller nere risken",
    "context_heading": "Sammanhang",
    "context_note": "Vem personen är i organisationen: det förklarar en del av risken, men är inget att "
    "agera på.",
    "leader_note": (
        "Personen leder ett team. Ledarskap betyder här det stöd personen får av sin egen chef, inte hur "
        "hen leder: en chef som läser sin egen sida läser om sin chefs del, och HR ser samma siffror."
    ),
    "actions": "Åtgärder att samtala om",
    "actions_note": "Modellens uppskattning av hur risken skulle förändras, inga löften. Börja med att lyssna: "
    "fråga vad personen behöver och vill innan du agerar.",
    "action": "Åtgärd",
    "risk_now": "Risk nu",
    "risk_after": "Risk efter",
    "change": "Förändring",
    "no_actions": "Ingen åtgärd i katalogen sänker den uppskattade risken.",
    "low_confidence": "Några värden ligger utanför det modellen tränades på; läs sidan med extra försiktighet.",
    "how_to_read": "Så läser du sidan",
    "how_to_read_text": (
        "Risken är modellens kalibrerade sannolikhet att personen slutar frivilligt inom {horizon} månader. "
        "Den delas exakt upp i den genomsnittliga risken (för alla som modellen lärt sig av) plus ett bidrag per "
        "hävstång, beräknat med exakt TreeSHAP på modellen "
        "och omräknat till procentenheter, så att delarna summerar till risken. Ett bidrag visar ett samband som "
        "modellen lärt sig av historiska data, inte ett bevisat orsakssamband."
    ),
    "how_to_read_flat": (
        "Risken är modellens kalibrerade sannolikhet att personen hör till dem som slutar, så som tabellen du "
        "tog med registrerar avgångar. Den delas exakt upp i den genomsnittliga risken (för alla som modellen "
        "lärt sig av) plus ett bidrag per hävstång, beräknat "
        "med exakta Shapley-värden och omräknat till procentenheter, så att delarna summerar till risken. Ett "
        "bidrag visar ett samband som modellen lärt sig av historiska data, inte ett bevisat orsakssamband."
    ),
    "notice": (
        "Sidan är ett underlag för samtal; den avgör ingenting. Inget beslut om en person får vila på den "
        "ensam. Kontakta {contact} för att ifrågasätta eller rätta den."
    ),
    "contact": "HR (personalanalys)",
    "back": "Tillbaka till översikten",
    "bands": {band: sv for band, (_, sv) in BANDS.items()},
    "generated": "Skapad av flightrisk",
    "model_card": "Modellkort: hur modellen är byggd och mätt",
    "instructions": "Bruksanvisning",
    "team_of": "{manager_genitive} team",
    "points": "procentenheter",
    "plan_title": "Plan för att behålla medarbetare",
    "plan_link": "Plan för att behålla medarbetare: vem, vad och till vilken kostnad",
    "plan_note": (
        "En plan är ett underlag för samtal, inget beslut. Varje siffra är modellens uppskattning av vad en "
        "åtgärd skulle ändra, kontrollerad på simulerade organisationer (se dokumentationen) men inte på "
        "den här. Prata med personen först: fråga vad hen behöver innan ni gör något."
    ),
    "plan_method": (
        "Så väljs den: för varje person den åtgärd (eller två tillsammans) som sparar mest "
        "ersättningskostnad för pengarna — förväntade undvikna avgångar gånger vad det skulle kosta att "
        "ersätta personen, minus vad åtgärden kostar per år — och sedan de bästa av dem, i ordning efter "
        "värde per krona, tills budgeten är använd. En åtgärd för ett helt team vägs en gång per team: "
        "dess kostnad är varje medlems andel, dess värde varje medlems förväntade vinst."
    ),
    "plan_on_signals": (
        "{exits} av de förväntade undvikna avgångarna ({people} medarbetare) vilar på spakar som data inte "
        "har visat vara orsaker: signaler som modellen läser. En kontrollgrupp (några av planens "
        "medarbetare som slumpvis får vänta den här omgången) mäter vad åtgärderna gör."
    ),
    "plan_budget": "Budget per år",
    "plan_spent": "Planerad kostnad",
    "plan_people": "Medarbetare i planen",
    "plan_exits": "Förväntade undvikna avgångar",
    "plan_value_per_krona": "Sparad ersättningskostnad per krona",
    "plan_by_team": "Per team",
    "plan_who_what": "Vem och vad",
    "plan_action": "Åtgärd",
    "plan_cost": "Kostnad per år",
    "plan_change": "Förväntad förändring av risken",
    "plan_team_hidden": "Färre än 5 personer i teamet: åtgärderna visas utan siffror.",
    "plan_for_team": "I planen för att behålla medarbetare",
    "plan_for_person": "I planen för att behålla medarbetare",
    "plan_none": "Ingen i teamet finns med i planen.",
    "plan_differs": (
        "Planen väger varje åtgärds förväntade effekt mot kostnaden, för alla inom budgeten, så den kan "
        "välja en annan åtgärd än den som sänker den här personens risk mest."
    ),
    "and": "och",
    "currency": "kr",
    "raise_of": "en höjning med {amount} i månaden",
    "for_the_team": "för hela teamet",
}


# The sentences of a person's drivers and notes (explain/narrative.py, explain/person.py): one table per
# language, the same keys in each; `{}` fields are filled by the code, which has no words of its own.
NARRATIVE_EN = {
    "not_recorded": "not recorded",
    "not_known": "n/a",
    "signed_points": "{sign}{value} points",
    "one_month": "{n} month",
    "n_months": "{n} months",
    "about_years": "{months} (about {years} years)",
    "peers": "peers",
    "peers_at_level": "level-{level} {who}",
    "peers_in": "{who} in {region}",
    "below": "below",
    "above": "above",
    "at_median": "at the median for {peers}",
    "vs_median": "{pct} % {side} the median for {peers}",
    "event_last": "Last {event}: {when} ({effect})",
    "this_month": "this month",
    "ago": "{months} ago",
    "event_none_in_records": "No {event} in the {months} of records ({effect})",
    "event_none_since_joining": "No {event} since joining {months} ago ({effect})",
    "event_none_on_record": "No {event} on record since joining {months} ago ({effect})",
    "value": "{label}: {shown} ({effect})",
    "pay_vs_peers_generic": "Base pay is {pct} % {side} the median of peers in the same role (same level and "
    "region where at least 5 share them) ({effect})",
    "pay_vs_peers": "Base pay is {relative} ({effect})",
    "promotion_wait_same": "Wait for promotion: the same as the median for {peers} ({effect})",
    "promotion_wait": "Wait for promotion: {length} {side} than the median for {peers} ({effect})",
    "longer": "longer",
    "shorter": "shorter",
    "in_region": " in {region}",
    "pay_vs_new_level": "level with",
    "pay_vs_new_side": "{pct} % {side}",
    "pay_vs_newer_hires": "Base pay is {side} the pay of newer hires (the median of those hired in the last "
    "two years into the same role{where}) ({effect})",
    "an_improvement": "an improvement",
    "a_good_result": "a good result",
    "improving_but_risk": "{label}: {shown} — {what}, yet the model counts it as adding risk for this person, "
    "taken together with their other values ({effect})",
    "new_in_company": "New in the company ({months}): people leave more often in their first two years "
    "({effect})",
}
NARRATIVE_SV = {
    "not_recorded": "saknas",
    "not_known": "–",
    "signed_points": "{sign}{value} procentenheter",
    "one_month": "{n} månad",
    "n_months": "{n} månader",
    "about_years": "{months} (ungefär {years} år)",
    "peers": "kollegor",
    "peers_at_level": "{who} på nivå {level}",
    "peers_in": "{who} i {region}",
    "below": "under",
    "above": "över",
    "at_median": "på medianen för {peers}",
    "vs_median": "{pct} % {side} medianen för {peers}",
    "event_last": "Senaste {event}: {when} ({effect})",
    "this_month": "denna månad",
    "ago": "för {months} sedan",
    "event_none_in_records": "{none} under de {months} som finns registrerade ({effect})",
    "event_none_since_joining": "{none} sedan anställningen för {months} sedan ({effect})",
    "event_none_on_record": "{none} registrerad sedan anställningen för {months} sedan ({effect})",
    "value": "{label}: {shown} ({effect})",
    "pay_vs_peers_generic": "Grundlönen ligger {pct} % {side} medianen för kollegor i samma roll (samma nivå "
    "och region där minst 5 delar dem) ({effect})",
    "pay_vs_peers": "Grundlönen ligger {relative} ({effect})",
    "promotion_wait_same": "Väntan på befordran: som medianen för {peers} ({effect})",
    "promotion_wait": "Väntan på befordran: {length} {side} än medianen för {peers} ({effect})",
    "longer": "längre",
    "shorter": "kortare",
    "in_region": " i {region}",
    "pay_vs_new_level": "på samma nivå som",
    "pay_vs_new_side": "{pct} % {side}",
    "pay_vs_newer_hires": "Grundlönen ligger {side} nyanställdas lön (medianen för dem som anställts de "
    "senaste två åren i samma roll{where}) ({effect})",
    "an_improvement": "en förbättring",
    "a_good_result": "ett gott resultat",
    "improving_but_risk": "{label}: {shown} — {what}, men modellen räknar det ändå som en ökad risk för "
    "personen, sammantaget med hens övriga värden ({effect})",
    "new_in_company": "Ny i företaget ({months}): de första två åren slutar fler ({effect})",
}


# What a person's explanation adds in words: notes where the panels, the driver and the action
# disagree (explain/person.py), and the terminal's rendering (`flightrisk explain`).
NOTES_EN = {
    "about_in": "About {n} in {of}",
    "fewer_than_1_in_100": "Fewer than 1 in 100",
    "certainty_no_bins": "The model kept no test results per score, so how sure this figure is cannot be said.",
    "certainty_too_few": "Too few people (under {min}) got a score like this when the model was tested to say "
    "how many of them left; read the figure with care.",
    "certainty_flat": "{share} people with a score like this were among the leavers when the model was "
    "cross-validated ({n} people scored {low}–{high} %).",
    "certainty_months": "{share} people with a score like this left within {horizon} months when the model was "
    "tested on months it had not seen ({n} people scored {low}–{high} %).",
    "bands_sentence": "Bands: low under {lo}, medium {lo}–{hi}, high {hi} or more. They are set around the share "
    "of people who leave, {share}: medium starts {low_at} and high {high_at}.",
    "at_it": "at it",
    "at_times_it": "at {ratio} times it",
    "read_no_cause": "The model reads {read} most in this person's data, but no lever is an established cause "
    "that would lower the risk by a point or more.",
    "read_vs_pull": "The model reads {read} most in this person's data, but measured against what happened "
    "after such values, pulling {pull} would lower the risk most.",
    "nothing_read_but_pull": "No lever adds a point or more in all in what the model reads, but measured "
    "against what happened after such values, pulling {pull} would lower the risk most.",
    "signal_not_cause": "{lever}: a signal the model reads, not an established cause (its measured effect is "
    "not clearly different from zero).",
    "driver_vs_lever": "The largest single driver is about {driver}, but together the factors of {lever} add "
    "more risk.",
    "no_lever_in_all": "No lever adds a point or more in all, though single factors do: the factors within "
    "each lever pull different ways.",
    "no_action_for_lever": "No action for {lever} applies to this person or lowers the estimate, so the first "
    "action is about {action}.",
    "action_vs_lever": "The first action is about {action}: it is estimated to lower the risk more ({change} "
    "against {best} for the best action for {lever}).",
    "raise_about": " (a raise of about {percent} %)",
    "terminal_head": "{employee} as of {date}: risk {risk} % ({band}), percentile {percentile}",
    "terminal_base": "Average risk {base} % (everyone the model learned from); contribution by lever:",
    "terminal_effects": "What pulling a lever would do (the model's points rescaled to each lever's measured size; "
    "a lever not established as a cause counts a tenth, one shown to do nothing none):",
    "terminal_signal": "  (a signal, not an established cause)",
    "terminal_drivers": "Top drivers:",
    "terminal_actions": "Possible actions (model estimates, not promises):",
    "terminal_outside": "Note: values outside the training data: ",
}
NOTES_SV = {
    "about_in": "Ungefär {n} av {of}",
    "fewer_than_1_in_100": "Färre än 1 av 100",
    "certainty_no_bins": "Modellen sparade inga testresultat per riskklass, så hur säker siffran är kan inte "
    "sägas.",
    "certainty_too_few": "För få personer (färre än {min}) fick en liknande risk när modellen prövades för att "
    "säga hur många av dem som slutade; läs siffran med försiktighet.",
    "certainty_flat": "{share} personer med en liknande risk hörde till dem som slutade, när modellen prövades i "
    "korsvalidering ({n} personer med {low}–{high} %).",
    "certainty_months": "{share} personer med en liknande risk slutade inom {horizon} månader när modellen "
    "prövades på månader den inte hade sett ({n} personer med {low}–{high} %).",
    "bands_sentence": "Riskklasser: låg under {lo}, medel {lo}–{hi}, hög {hi} eller mer. De är satta kring "
    "andelen som slutar, {share}: medel börjar {low_at} och hög {high_at}.",
    "at_it": "vid den",
    "at_times_it": "vid {ratio} gånger den",
    "read_no_cause": "Modellen läser mest av {read} i personens uppgifter, men ingen hävstång är en belagd "
    "orsak som skulle sänka risken med en procentenhet eller mer.",
    "read_vs_pull": "Modellen läser mest av {read} i personens uppgifter, men mätt mot vad som hände efter "
    "sådana värden skulle {pull} sänka risken mest.",
    "nothing_read_but_pull": "Inget område lägger sammantaget till en procentenhet eller mer i det modellen "
    "läser, men mätt mot vad som hände efter sådana värden skulle {pull} sänka risken mest.",
    "signal_not_cause": "{lever}: en signal som modellen läser, inte en belagd orsak (den uppmätta effekten "
    "skiljer sig inte tydligt från noll).",
    "driver_vs_lever": "Den enskilt största drivkraften gäller {driver}, men tillsammans lägger faktorerna för "
    "{lever} till mer risk.",
    "no_lever_in_all": "Inget område lägger sammantaget till en procentenhet eller mer, fast enskilda faktorer "
    "gör det: faktorerna inom varje område drar åt olika håll.",
    "no_action_for_lever": "Ingen åtgärd för {lever} passar personens läge eller sänker uppskattningen, så den "
    "första åtgärden gäller {action}.",
    "action_vs_lever": "Den första åtgärden gäller {action}: den beräknas sänka risken mer ({change} mot "
    "{best} för den bästa åtgärden för {lever}).",
    "raise_about": " (en höjning med cirka {percent} %)",
    "terminal_head": "{employee} per {date}: risk {risk} % ({band}), percentil {percentile}",
    "terminal_base": "Genomsnittlig risk {base} % (alla som modellen lärt sig av); bidrag per hävstång:",
    "terminal_effects": "Vad det skulle göra att dra i en hävstång (modellens punkter omräknade till varje "
    "hävstångs uppmätta storlek; en hävstång som inte är en belagd orsak räknas med en tiondel, en som visats "
    "inte göra något inte alls):",
    "terminal_signal": "  (signal, ingen belagd orsak)",
    "terminal_drivers": "Viktigaste drivkrafter:",
    "terminal_actions": "Möjliga åtgärder (modellens uppskattning, inget löfte):",
    "terminal_outside": "Obs: värden utanför träningsdatan: ",
}

MESSAGES = {
    "en": {**REPORT_EN, **NARRATIVE_EN, **NOTES_EN},
    "sv": {**REPORT_SV, **NARRATIVE_SV, **NOTES_SV},
}
