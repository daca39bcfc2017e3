"""The diagnostic templates Essaim ships: « Diagnostic 360° TPE/PME » and « Rénovation
énergétique — artisans du bâtiment » (the demo's trade). A template is themes of questions;
a question is a maturity scale (1–4 or 1–5, each level described), a yes/no, a number or free
text. Texts are French, the collectives' language; an animator builds their own in the same
shape (``DiagnosticTemplate``)."""

from __future__ import annotations

from typing import Any

KINDS = ("scale4", "scale5", "yesno", "number", "text")
SCALE_MAX = {"scale4": 4, "scale5": 5}


def _scale(qid: str, text: str, *levels: str) -> dict[str, Any]:
    kind = "scale4" if len(levels) == 4 else "scale5"
    return {"id": qid, "text": text, "kind": kind, "levels": list(levels)}


def _other(qid: str, text: str, kind: str, unit: str = "") -> dict[str, Any]:
    question: dict[str, Any] = {"id": qid, "text": text, "kind": kind, "levels": []}
    if unit:
        question["unit"] = unit
    return question


def _theme(tid: str, title: str, *questions: dict[str, Any]) -> dict[str, Any]:
    return {"id": tid, "title": title, "questions": list(questions)}


TPE_PME: dict[str, Any] = {
    "key": "tpe-pme-360",
    "name": "Diagnostic 360° TPE/PME",
    "description": "Un tour complet de l'entreprise, thème par thème, pour bâtir son plan"
    " d'action et repérer les besoins partagés du collectif.",
    "version": 1,
    "themes": [
        _theme(
            "commercial",
            "Commercial",
            _scale(
                "commercial.prospection",
                "Comment l'entreprise trouve-t-elle ses nouveaux clients ?",
                "Au hasard des demandes, sans démarche",
                "Quelques actions ponctuelles (salons, bouche-à-oreille entretenu)",
                "Un plan de prospection suivi, des cibles définies",
                "Une démarche structurée, mesurée et ajustée chaque année",
            ),
            _other(
                "commercial.clients",
                "Part du chiffre d'affaires réalisée avec le premier client",
                "number",
                "%",
            ),
        ),
        _theme(
            "export",
            "Export",
            _scale(
                "export.maturite",
                "Où en est l'entreprise à l'international ?",
                "Aucune vente hors de France, pas de projet",
                "Des ventes occasionnelles, subies",
                "Une démarche engagée sur un ou deux pays",
                "L'export est un axe de développement piloté",
            ),
        ),
        _theme(
            "marketing",
            "Marketing",
            _scale(
                "marketing.offre",
                "L'offre et son positionnement sont-ils formalisés ?",
                "Non, l'offre se définit au cas par cas",
                "En partie, à l'oral",
                "Oui, par écrit, avec des cibles",
                "Oui, et revus avec des retours clients",
            ),
            _other("marketing.site", "L'entreprise a-t-elle un site à jour ?", "yesno"),
        ),
        _theme(
            "production",
            "Production",
            _scale(
                "production.organisation",
                "Comment la production est-elle organisée ?",
                "Au jour le jour",
                "Un planning simple, souvent bousculé",
                "Un planning tenu, des temps mesurés",
                "Une organisation optimisée en continu (lean, indicateurs)",
            ),
        ),
        _theme(
            "veille",
            "Veille et intelligence économique",
            _scale(
                "veille.pratique",
                "L'entreprise surveille-t-elle son marché, ses concurrents, sa réglementation ?",
                "Non",
                "De temps en temps, sans méthode",
                "Une veille organisée sur quelques sujets",
                "Une veille partagée qui nourrit les décisions",
            ),
        ),
        _theme(
            "innovation",
            "Innovation",
            _scale(
                "innovation.projets",
                "Comment l'entreprise fait-elle évoluer ses produits et services ?",
                "Rarement, à la demande",
                "Des améliorations ponctuelles",
                "Des projets d'innovation menés chaque année",
                "Une démarche d'innovation structurée, avec des partenaires",
            ),
        ),
        _theme(
            "rd",
            "Recherche et développement",
            _scale(
                "rd.moyens",
                "L'entreprise consacre-t-elle des moyens à la R&D ?",
                "Aucun",
                "Quelques essais, sans budget",
                "Un budget et du temps dédiés",
                "Des partenariats (laboratoires, CIR, pôles)",
            ),
        ),
        _theme(
            "qualite",
            "Qualité et certification",
            _scale(
                "qualite.demarche",
                "Où en est la démarche qualité ?",
                "Pas de démarche",
                "Des contrôles ponctuels",
                "Des procédures écrites et suivies",
                "Une certification ou un label obtenu et entretenu",
            ),
            _other("qualite.labels", "Labels et certifications détenus", "text"),
        ),
        _theme(
            "rh",
            "Ressources humaines",
            _scale(
                "rh.competences",
                "Comment les compétences de l'équipe sont-elles développées ?",
                "Sur le tas uniquement",
                "Quelques formations, à la demande",
                "Un plan de formation annuel",
                "Une gestion des compétences anticipée (entretiens, parcours)",
            ),
            _other("rh.effectif", "Effectif salarié", "number", "personnes"),
        ),
        _theme(
            "finance",
            "Finance",
            _scale(
                "finance.pilotage",
                "Comment l'entreprise pilote-t-elle ses finances ?",
                "Par le solde du compte en banque",
                "Avec le bilan annuel de l'expert-comptable",
                "Avec un prévisionnel et une trésorerie suivis chaque mois",
                "Avec des tableaux de bord et des marges par activité",
            ),
        ),
        _theme(
            "numerique",
            "Numérique",
            _scale(
                "numerique.outils",
                "Quelle place ont les outils numériques ?",
                "Très peu (téléphone, papier)",
                "Bureautique et messagerie",
                "Des logiciels métier (devis, gestion, planning)",
                "Des outils reliés entre eux, données exploitées",
            ),
        ),
    ],
}

RENOVATION: dict[str, Any] = {
    "key": "renovation-energetique",
    "name": "Rénovation énergétique — artisans du bâtiment",
    "description": "Pour les artisans d'une action collective de rénovation énergétique :"
    " qualification, technique, accompagnement des ménages, coopération.",
    "version": 1,
    "themes": [
        _theme(
            "qualification",
            "Qualification RGE",
            _scale(
                "qualification.rge",
                "Où en est l'entreprise de la qualification RGE ?",
                "Pas qualifiée, pas de projet",
                "Projet de qualification",
                "Dossier en cours",
                "Qualifiée sur un domaine",
                "Qualifiée sur plusieurs domaines, audits passés sans réserve",
            ),
        ),
        _theme(
            "technique",
            "Techniques performantes",
            _scale(
                "technique.biosources",
                "L'entreprise maîtrise-t-elle les isolants biosourcés et l'étanchéité à l'air ?",
                "Jamais pratiqué",
                "Quelques chantiers",
                "Pratique courante",
                "Pratique courante, tests d'infiltrométrie réussis",
                "Référence locale, forme d'autres artisans",
            ),
        ),
        _theme(
            "accompagnement",
            "Accompagnement des ménages",
            _scale(
                "accompagnement.aides",
                "L'entreprise aide-t-elle ses clients à monter leurs dossiers d'aides ?",
                "Non",
                "Elle oriente vers un conseiller",
                "Elle explique les aides et les montants",
                "Elle monte les dossiers avec le client",
                "Elle travaille avec un accompagnateur Rénov' et suit le dossier jusqu'au paiement",
            ),
            _other(
                "accompagnement.devis", "Devis de rénovation signés l'an dernier", "number", "devis"
            ),
        ),
        _theme(
            "cooperation",
            "Coopération entre artisans",
            _scale(
                "cooperation.groupement",
                "L'entreprise répond-elle à des chantiers avec d'autres corps de métier ?",
                "Jamais",
                "Rarement, au cas par cas",
                "Régulièrement avec les mêmes partenaires",
                "Dans un groupement formalisé",
                "Dans un groupement qui porte des offres globales",
            ),
        ),
        _theme(
            "numerique",
            "Numérique",
            _scale(
                "numerique.devis",
                "Devis, planning et facturation sont-ils outillés ?",
                "Papier",
                "Tableur",
                "Logiciel de devis",
                "Logiciel de gestion complet",
                "Outils reliés, suivi de chantier partagé avec le client",
            ),
        ),
        _theme(
            "rh",
            "Équipe et formation",
            _scale(
                "rh.formation",
                "L'équipe est-elle formée aux nouvelles techniques ?",
                "Aucune formation récente",
                "Le dirigeant seulement",
                "Une partie de l'équipe",
                "Toute l'équipe, avec un plan",
                "L'entreprise forme aussi des apprentis",
            ),
            _other("rh.apprentis", "L'entreprise accueille-t-elle des apprentis ?", "yesno"),
        ),
        _theme(
            "finance",
            "Trésorerie",
            _scale(
                "finance.tresorerie",
                "La trésorerie supporte-t-elle l'attente des aides versées aux clients ?",
                "Difficilement",
                "Tout juste",
                "Oui, avec des acomptes",
                "Oui, avec un prévisionnel",
                "Oui, et l'entreprise peut préfinancer",
            ),
        ),
    ],
}

SHIPPED: dict[str, dict[str, Any]] = {t["key"]: t for t in (TPE_PME, RENOVATION)}
