"""Every sentence the report shows, in English and Swedish (one dictionary per language)."""

from __future__ import annotations

from flightrisk.i18n import BANDS

EN = {
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
    "effects_note": "The model's points for each lever times the lever's measured effect: how much of what "
    "the model reads went with real exits once everything else it sees was held fixed (measured on months "
    "the model never learned from). A lever marked * is a signal the model reads, not an established cause.",
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
        "the budget is spent."
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
}

SV = {
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
    "effects_note": "Modellens procentenheter för varje hävstång gånger hävstångens uppmätta effekt: hur mycket av "
    "det modellen läser som följdes av verkliga avgångar när allt annat den ser hölls fast (mätt på månader "
    "modellen aldrig lärt sig av). En hävstång märkt * är en signal som modellen läser, ingen belagd orsak.",
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
        "värde per krona, tills budgeten är använd."
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
}


def swedish_genitive(name: str) -> str:
    """'Anna Svensson' -> 'Anna Svenssons', 'Lars' -> 'Lars', an id 'E0012' -> 'E0012:s'."""
    name = str(name)
    if not name or not name[-1].isalpha():
        return f"{name}:s"
    return name if name[-1].lower() in "sxz" else f"{name}s"


def team_title(t: dict, manager: str) -> str:
    """'Team of Anna Svensson' / 'Anna Svenssons team'."""
    return t["team_of"].format(manager=manager, manager_genitive=swedish_genitive(manager))


def strings(lang: str) -> dict:
    """The site's words in `lang`."""
    return SV if lang == "sv" else EN
