"""Demo content for Essaim: one realistic action collective of building artisans.

Pure data plus typed, frozen dataclasses. Dates are expressed relative to "today"
(offsets in days, or ``days_ago`` for cards and comments) so that the demo always
looks fresh whenever it is loaded. Persons are referenced elsewhere by their ``key``.
Column indexes refer to the default columns of each board kind (see ``BOARD_COLUMNS``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DemoPerson:
    key: str  # short stable key, e.g. "claire": used to reference the author elsewhere
    display_name: str
    email: str  # always under demo.essaim.fr
    role: str  # "animator" | "member" | "observer"
    organisation: str
    trade: str  # trade or sector, in French
    skills: tuple[str, ...]  # 2-4 short French skills


@dataclass(frozen=True)
class DemoPhase:
    name: str
    kind: str  # "collective" | "individual"
    starts_on_offset_days: int  # relative to "today" (negative = past)
    ends_on_offset_days: int
    description: str


@dataclass(frozen=True)
class DemoComment:
    author: str  # person key
    body: str  # Markdown allowed, 1-4 sentences
    days_ago: float


@dataclass(frozen=True)
class DemoCard:
    kind: str  # "idea" | "practice" | "document" | "question" | "experiment" | "resource"
    title: str
    body: str  # Markdown
    tags: tuple[str, ...]  # 1-4 lowercase French tags
    column: int  # index into the board's default columns
    author: str  # person key
    days_ago: float
    comments: tuple[DemoComment, ...] = ()
    reactions: tuple[tuple[str, str], ...] = ()  # (person key, "useful" | "plus_one" | "tried_it")


@dataclass(frozen=True)
class DemoBoard:
    name: str
    kind: str  # "ideas" | "practices" | "questions"
    description: str
    cards: tuple[DemoCard, ...]


@dataclass(frozen=True)
class DemoCollective:
    name: str
    description: str
    theme: str
    territory: str
    funders: tuple[str, ...]
    starts_on_offset_days: int
    ends_on_offset_days: int
    people: tuple[DemoPerson, ...]
    phases: tuple[DemoPhase, ...]
    boards: tuple[DemoBoard, ...]


DEMO_PASSWORD = "essaim-demo-2026"


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        key="claire",
        display_name="Claire Morel",
        email="claire.morel@demo.essaim.fr",
        role="animator",
        organisation="CMA Auvergne-Rhône-Alpes — Drôme",
        trade="Chargée de mission transition écologique",
        skills=("Animation de groupe", "Aides à la rénovation", "Accompagnement d’entreprises"),
    ),
    DemoPerson(
        key="julien",
        display_name="Julien Faure",
        email="julien.faure@demo.essaim.fr",
        role="member",
        organisation="Faure Thermique",
        trade="Plombier-chauffagiste",
        skills=("Pompes à chaleur", "Chaudières bois", "Dossiers MaPrimeRénov’"),
    ),
    DemoPerson(
        key="sandrine",
        display_name="Sandrine Blanc",
        email="sandrine.blanc@demo.essaim.fr",
        role="member",
        organisation="Blanc Électricité Services",
        trade="Électricienne",
        skills=("VMC double flux", "Photovoltaïque", "Pilotage du chauffage", "Devis"),
    ),
    DemoPerson(
        key="lucie",
        display_name="Lucie Arnaud",
        email="lucie.arnaud@demo.essaim.fr",
        role="member",
        organisation="SCOP Les Bâtisseurs du Diois",
        trade="Éco-construction (SCOP)",
        skills=("Coordination de chantier", "Isolants biosourcés", "Gestion coopérative"),
    ),
    DemoPerson(
        key="karim",
        display_name="Karim Haddad",
        email="karim.haddad@demo.essaim.fr",
        role="member",
        organisation="Isol’Drôme",
        trade="Plaquiste-isolation",
        skills=("Isolation des combles", "Étanchéité à l’air", "Plaques de plâtre"),
    ),
    DemoPerson(
        key="antoine",
        display_name="Antoine Guillot",
        email="antoine.guillot@demo.essaim.fr",
        role="member",
        organisation="Atelier Guillot & Peyrard Architectes",
        trade="Architecte",
        skills=("Maîtrise d’œuvre", "Rénovation globale", "Réhabilitation du bâti ancien"),
    ),
    DemoPerson(
        key="emilie",
        display_name="Émilie Bonnet",
        email="emilie.bonnet@demo.essaim.fr",
        role="member",
        organisation="Thermi’Conseil Drôme",
        trade="Thermicienne, auditrice énergétique",
        skills=("Audit énergétique", "Calcul des déperditions", "Tests d’infiltrométrie"),
    ),
    DemoPerson(
        key="thomas",
        display_name="Thomas Roux",
        email="thomas.roux@demo.essaim.fr",
        role="member",
        organisation="Roux Maçonnerie",
        trade="Maçon",
        skills=("Bâti ancien en pierre", "Enduits à la chaux", "Isolation par l’extérieur"),
    ),
    DemoPerson(
        key="mehdi",
        display_name="Mehdi Benali",
        email="mehdi.benali@demo.essaim.fr",
        role="member",
        organisation="Menuiseries Benali",
        trade="Menuisier",
        skills=("Fenêtres bois et mixtes", "Pose en rénovation", "Volets"),
    ),
    DemoPerson(
        key="isabelle",
        display_name="Isabelle Chapuis",
        email="isabelle.chapuis@demo.essaim.fr",
        role="member",
        organisation="Chapuis Toitures",
        trade="Couvreuse-zingueuse",
        skills=("Couverture tuiles", "Isolation sous rampants", "Zinguerie"),
    ),
    DemoPerson(
        key="nathalie",
        display_name="Nathalie Reynaud",
        email="nathalie.reynaud@demo.essaim.fr",
        role="member",
        organisation="Reynaud Façades",
        trade="Façadière, isolation thermique par l’extérieur",
        skills=("ITE sous enduit", "Ravalement", "Bardage"),
    ),
    DemoPerson(
        key="olivier",
        display_name="Olivier Vial",
        email="olivier.vial@demo.essaim.fr",
        role="member",
        organisation="Vial Énergies Bois",
        trade="Installateur de poêles et chaudières bois",
        skills=("Poêles à granulés", "Fumisterie"),
    ),
    DemoPerson(
        key="patrick",
        display_name="Patrick Giraud",
        email="patrick.giraud@demo.essaim.fr",
        role="member",
        organisation="Charpentes Giraud",
        trade="Charpentier",
        skills=("Charpente traditionnelle", "Ossature bois"),
    ),
    DemoPerson(
        key="helene",
        display_name="Hélène Dumas",
        email="helene.dumas@demo.essaim.fr",
        role="observer",
        organisation="Région Auvergne-Rhône-Alpes",
        trade="Chargée de mission économie de proximité",
        skills=("Financement de projets", "Développement économique"),
    ),
)


# --------------------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------------------

PHASES: tuple[DemoPhase, ...] = (
    DemoPhase(
        name="Ateliers collectifs et échanges de pratiques",
        kind="collective",
        starts_on_offset_days=-120,
        ends_on_offset_days=45,
        description=(
            "Un atelier par mois, en alternance à Crest et à Valence, pour partager nos "
            "pratiques de rénovation énergétique : visites de chantiers, retours "
            "d’expérience sur MaPrimeRénov’ et la certification RGE, montage d’un "
            "groupement d’entreprises pour les offres de rénovation globale."
        ),
    ),
    DemoPhase(
        name="Diagnostic 360° et plan d’action individuel",
        kind="individual",
        starts_on_offset_days=14,
        ends_on_offset_days=105,
        description=(
            "Chaque entreprise bénéficie d’une demi-journée de diagnostic 360° avec la "
            "CMA (organisation, commercial, compétences, économie de l’entreprise), puis "
            "construit son plan d’action sur 12 mois, présenté au groupe lors de la "
            "séance de clôture."
        ),
    ),
)


# --------------------------------------------------------------------------------------
# Board « Idées »
# --------------------------------------------------------------------------------------

IDEAS_CARDS: tuple[DemoCard, ...] = (
    DemoCard(
        kind="idea",
        title="Former ensemble nos apprentis à l’étanchéité à l’air",
        body=(
            "Sur les chantiers, les fuites d’air viennent souvent de gestes simples mal "
            "faits : membrane agrafée sans adhésif, gaines électriques qui traversent le "
            "pare-vapeur, boîtiers non étanches. Je propose une demi-journée commune pour "
            "les apprentis de toutes nos entreprises, avec une maquette et un test à la "
            "porte soufflante en direct.\n\n"
            "Objectif : que chaque corps d’état comprenne ce que l’autre abîme (ou protège)."
        ),
        tags=("formation", "étanchéité", "apprentissage"),
        column=3,
        author="emilie",
        days_ago=118,
        comments=(
            DemoComment(
                author="mehdi",
                body=(
                    "Très bonne idée. Mon apprenti pose les fenêtres mais ne sait pas "
                    "pourquoi on raccorde la membrane au dormant : ça lui parlerait."
                ),
                days_ago=115,
            ),
            DemoComment(
                author="karim",
                body="Je peux fournir la maquette d’ossature et les rouleaux de membrane.",
                days_ago=110,
            ),
            DemoComment(
                author="claire",
                body=(
                    "La session a eu lieu au CFA du BTP de Livron avec **9 apprentis**. "
                    "Le support d’Émilie est déposé dans les bonnes pratiques ; le CFA "
                    "souhaite la reconduire chaque année."
                ),
                days_ago=50,
            ),
        ),
        reactions=(
            ("mehdi", "plus_one"),
            ("karim", "useful"),
            ("julien", "plus_one"),
            ("sandrine", "useful"),
            ("patrick", "plus_one"),
        ),
    ),
    DemoCard(
        kind="idea",
        title="Monter un groupement d’entreprises pour répondre aux offres de rénovation globale",
        body=(
            "De plus en plus de clients arrivent avec un audit énergétique et veulent "
            "**un seul interlocuteur** pour une rénovation d’ampleur. Seuls, nous ne "
            "pouvons pas répondre. Proposition :\n\n"
            "- un groupement momentané d’entreprises (GME) avec un mandataire par chantier ;\n"
            "- une convention de cotraitance type, relue par un juriste ;\n"
            "- un planning et un devis récapitulatif communs.\n\n"
            "La SCOP peut porter la coordination sur les premiers chantiers."
        ),
        tags=("groupement", "rénovation-globale", "cotraitance"),
        column=1,
        author="lucie",
        days_ago=112,
        comments=(
            DemoComment(
                author="antoine",
                body=(
                    "Je veux bien assurer la maîtrise d’œuvre sur les premiers dossiers, "
                    "ça rassure les clients et les banques."
                ),
                days_ago=108,
            ),
            DemoComment(
                author="julien",
                body=(
                    "Partant. Attention à la solidarité entre cotraitants : je ne veux pas "
                    "payer pour un lot que je ne maîtrise pas."
                ),
                days_ago=105,
            ),
            DemoComment(
                author="claire",
                body=(
                    "Je vous propose un atelier juridique avec la juriste de la CMA sur la "
                    "convention de groupement et la question de la solidarité. Date à "
                    "fixer en fin de mois."
                ),
                days_ago=98,
            ),
            DemoComment(
                author="thomas",
                body="Retour de l’atelier : on part sur un GME conjoint, pas solidaire.",
                days_ago=60,
            ),
        ),
        reactions=(
            ("julien", "plus_one"),
            ("sandrine", "plus_one"),
            ("antoine", "useful"),
            ("karim", "plus_one"),
            ("claire", "useful"),
            ("mehdi", "plus_one"),
        ),
    ),
    DemoCard(
        kind="idea",
        title="Mutualiser une caméra thermique et une porte soufflante",
        body=(
            "Une caméra thermique correcte coûte plusieurs milliers d’euros et on s’en "
            "sert quelques fois par mois. Idée : l’acheter à plusieurs, avec un planning "
            "de réservation partagé et une petite participation par utilisation.\n\n"
            "Ça nous permettrait de montrer au client l’avant/après de l’isolation, "
            "argument très parlant pour signer un devis."
        ),
        tags=("outillage", "mutualisation", "isolation"),
        column=1,
        author="karim",
        days_ago=88,
        comments=(
            DemoComment(
                author="emilie",
                body=(
                    "Pour la caméra, oui. Pour la porte soufflante, attention : une mesure "
                    "d’infiltrométrie « officielle » doit être faite par un opérateur "
                    "qualifié. En autocontrôle de chantier, en revanche, c’est très utile."
                ),
                days_ago=85,
            ),
            DemoComment(
                author="sandrine",
                body="Je regarde si la CMA peut co-financer l’achat dans le cadre de l’action.",
                days_ago=80,
            ),
            DemoComment(
                author="julien",
                body="On pourrait la stocker chez moi à Crest, c’est central pour tout le monde.",
                days_ago=79,
            ),
        ),
        reactions=(
            ("julien", "plus_one"),
            ("mehdi", "plus_one"),
            ("nathalie", "plus_one"),
            ("emilie", "useful"),
        ),
    ),
    DemoCard(
        kind="experiment",
        title="Expérimentation : visite technique commune avant devis sur trois maisons",
        body=(
            "**Hypothèse** : si le chauffagiste, l’électricien et le plaquiste visitent "
            "ensemble, on évite les devis incohérents (PAC surdimensionnée, isolation "
            "oubliée) et le client signe plus vite.\n\n"
            "**Protocole** : trois maisons des années 1970 à Crest, Loriol et Eurre ; "
            "une visite de 1 h 30 à trois, puis un devis coordonné envoyé sous 10 jours.\n\n"
            "**Mesure** : délai de signature et nombre d’avenants en cours de chantier."
        ),
        tags=("expérimentation", "devis", "visite-technique"),
        column=2,
        author="julien",
        days_ago=64,
        comments=(
            DemoComment(
                author="karim",
                body="Je suis dispo pour les trois visites, sauf le mardi.",
                days_ago=58,
            ),
            DemoComment(
                author="sandrine",
                body=(
                    "Bilan de mon côté : 2 devis signés sur 3, en moins de trois semaines. "
                    "Le client de Loriol a apprécié qu’on ait *déjà* prévu la VMC avec "
                    "l’isolation."
                ),
                days_ago=41,
            ),
            DemoComment(
                author="emilie",
                body=(
                    "Vous avez pu dimensionner la PAC après l’isolation ? C’est souvent là "
                    "que les économies d’énergie se jouent."
                ),
                days_ago=40,
            ),
            DemoComment(
                author="claire",
                body=(
                    "Bravo pour cette expérimentation ! On la présente à l’atelier du mois "
                    "prochain pour décider si on en fait une pratique du groupe."
                ),
                days_ago=30,
            ),
        ),
        reactions=(
            ("sandrine", "tried_it"),
            ("karim", "tried_it"),
            ("lucie", "useful"),
            ("antoine", "plus_one"),
            ("claire", "useful"),
        ),
    ),
    DemoCard(
        kind="experiment",
        title="Devis unique multi-lots sur un chantier pilote à Crest",
        body=(
            "Premier test du groupement sur une maison de ville à Crest : isolation des "
            "combles, ITE côté jardin, menuiseries, PAC air/eau et VMC.\n\n"
            "- un devis récapitulatif présenté par l’architecte ;\n"
            "- un devis détaillé par entreprise en annexe ;\n"
            "- un seul rendez-vous de signature avec le client et son Accompagnateur Rénov’.\n\n"
            "On veut vérifier si le client comprend mieux le reste à charge et si le dossier "
            "d’aides passe sans retour de l’Anah."
        ),
        tags=("groupement", "devis", "chantier-pilote"),
        column=2,
        author="antoine",
        days_ago=47,
        comments=(
            DemoComment(
                author="lucie",
                body="La SCOP prend la coordination du planning, je fais circuler un Gantt.",
                days_ago=45,
            ),
            DemoComment(
                author="julien",
                body=(
                    "Mon lot PAC est chiffré, mais j’attends la note de calcul des "
                    "déperditions après isolation avant de figer la puissance."
                ),
                days_ago=44,
            ),
            DemoComment(
                author="sandrine",
                body="Client signé ! Il a trouvé le récapitulatif beaucoup plus clair.",
                days_ago=30,
            ),
            DemoComment(
                author="antoine",
                body=(
                    "Dossier d’aides accepté sans demande de pièces complémentaires. "
                    "Début du chantier dans trois semaines."
                ),
                days_ago=12,
            ),
        ),
        reactions=(
            ("lucie", "tried_it"),
            ("julien", "tried_it"),
            ("thomas", "tried_it"),
            ("sandrine", "useful"),
            ("claire", "useful"),
        ),
    ),
    DemoCard(
        kind="idea",
        title="Un référent « aides financières » tournant dans le groupe",
        body=(
            "Les règles de MaPrimeRénov’ et des CEE changent presque chaque année et on "
            "perd tous un temps fou à se tenir à jour. Proposition : chaque trimestre, "
            "une personne du groupe fait la veille et résume les changements en "
            "une page pour les autres."
        ),
        tags=("aides", "maprimerénov", "veille"),
        column=0,
        author="sandrine",
        days_ago=21,
        comments=(
            DemoComment(
                author="isabelle",
                body="Je prends volontiers le prochain trimestre si quelqu’un me montre comment.",
                days_ago=19,
            ),
            DemoComment(
                author="claire",
                body=(
                    "Je peux vous transmettre les notes de l’Espace Conseil France Rénov’ "
                    "de la Drôme pour démarrer."
                ),
                days_ago=18,
            ),
        ),
        reactions=(
            ("isabelle", "plus_one"),
            ("lucie", "plus_one"),
            ("thomas", "plus_one"),
        ),
    ),
    DemoCard(
        kind="idea",
        title="Partager un agenda des disponibilités de nos équipes",
        body=(
            "Quand un chantier du groupement se décale, on ne sait jamais qui est libre. "
            "Un agenda partagé, même simple, éviterait les coups de téléphone à 7 h du matin."
        ),
        tags=("planning", "groupement"),
        column=0,
        author="thomas",
        days_ago=4.5,
        comments=(
            DemoComment(
                author="sandrine",
                body="Oui ! Un agenda partagé en lecture seule suffirait pour commencer.",
                days_ago=3,
            ),
        ),
        reactions=(
            ("sandrine", "plus_one"),
            ("olivier", "plus_one"),
        ),
    ),
)


# --------------------------------------------------------------------------------------
# Board « Bonnes pratiques »
# --------------------------------------------------------------------------------------

PRACTICES_CARDS: tuple[DemoCard, ...] = (
    DemoCard(
        kind="resource",
        title="Ressources ADEME et France Rénov’ à garder sous la main",
        body=(
            "Quelques ressources fiables à partager avec vos clients :\n\n"
            "- les guides pratiques de l’ADEME sur l’isolation et le chauffage ;\n"
            "- le simulateur d’aides de France Rénov’ ;\n"
            "- l’annuaire des entreprises RGE (pour vérifier un sous-traitant) ;\n"
            "- les coordonnées de l’Espace Conseil France Rénov’ de la Drôme.\n\n"
            "N’hésitez pas à compléter en commentaire."
        ),
        tags=("ressources", "ademe", "aides"),
        column=0,
        author="claire",
        days_ago=102,
        comments=(
            DemoComment(
                author="nathalie",
                body="Merci, j’imprime le guide sur l’isolation des murs pour mes rendez-vous.",
                days_ago=99,
            ),
        ),
        reactions=(
            ("julien", "useful"),
            ("emilie", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Check-list de visite technique avant un devis d’isolation",
        body=(
            "Ma check-list, affinée sur une trentaine de visites :\n\n"
            "- état de la charpente et présence d’humidité dans les combles ;\n"
            "- type de plancher et accès (trappe, hauteur disponible) ;\n"
            "- gaines et spots à protéger avant soufflage ;\n"
            "- ventilation existante : entrées d’air, VMC, cheminée ;\n"
            "- photos systématiques, jointes au devis.\n\n"
            "Depuis que je l’utilise, je n’ai plus de mauvaise surprise le jour du chantier."
        ),
        tags=("isolation", "visite-technique", "devis"),
        column=3,
        author="karim",
        days_ago=96,
        comments=(
            DemoComment(
                author="julien",
                body=(
                    "J’ai ajouté une section chauffage : type de générateur, émetteurs, "
                    "température de départ. Je la mets en pièce jointe."
                ),
                days_ago=93,
            ),
            DemoComment(
                author="nathalie",
                body="Testée sur deux maisons pour l’ITE, en adaptant la partie façade. Top.",
                days_ago=70,
            ),
        ),
        reactions=(
            ("julien", "tried_it"),
            ("sandrine", "tried_it"),
            ("mehdi", "tried_it"),
            ("nathalie", "tried_it"),
            ("emilie", "useful"),
            ("claire", "useful"),
        ),
    ),
    DemoCard(
        kind="document",
        title="Modèle de devis conforme MaPrimeRénov’ : les mentions obligatoires",
        body=(
            "Trop de dossiers reviennent pour un devis incomplet. Voici un modèle commenté "
            "avec les mentions à ne pas oublier :\n\n"
            "- numéro et domaine de la qualification RGE de l’entreprise qui réalise ;\n"
            "- caractéristiques techniques (résistance thermique R, surface isolée, "
            "COP ou ETAS de la pompe à chaleur) ;\n"
            "- distinction claire entre fourniture et pose ;\n"
            "- date de la visite préalable.\n\n"
            "Vérifiez toujours la liste à jour sur le site de l’Anah, elle évolue."
        ),
        tags=("devis", "maprimerénov", "rge"),
        column=3,
        author="emilie",
        days_ago=81,
        comments=(
            DemoComment(
                author="sandrine",
                body="Enfin ! Je l’ai intégré à mon logiciel de devis dès ce matin.",
                days_ago=79,
            ),
            DemoComment(
                author="claire",
                body=(
                    "Merci Émilie. Je le fais relire par le conseiller France Rénov’ "
                    "pour être sûrs qu’il colle aux dernières règles."
                ),
                days_ago=77,
            ),
            DemoComment(
                author="julien",
                body="Zéro dossier rejeté depuis que je l’utilise, sur six dossiers déposés.",
                days_ago=50,
            ),
        ),
        reactions=(
            ("sandrine", "useful"),
            ("julien", "useful"),
            ("lucie", "useful"),
            ("isabelle", "useful"),
            ("thomas", "useful"),
            ("mehdi", "useful"),
            ("olivier", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Photographier chaque étape du chantier pour les contrôles RGE",
        body=(
            "Lors d’un audit de chantier RGE, l’auditeur vérifie ce qui est caché une fois "
            "le chantier fini. Je prends donc des photos datées à chaque étape : "
            "avant travaux, isolant posé avec l’étiquette visible, membrane, finitions.\n\n"
            "Je les range dans un dossier par client, ça sert aussi en cas de litige."
        ),
        tags=("rge", "chantier", "qualité"),
        column=2,
        author="sandrine",
        days_ago=73,
        comments=(
            DemoComment(
                author="thomas",
                body="Tu utilises une appli particulière ou juste le téléphone ?",
                days_ago=70,
            ),
            DemoComment(
                author="sandrine",
                body=(
                    "Juste le téléphone, avec un album partagé par chantier. L’important, "
                    "c’est d’avoir l’étiquette du produit sur la photo."
                ),
                days_ago=69,
            ),
            DemoComment(
                author="isabelle",
                body=(
                    "Je l’ai fait sur mon dernier chantier de toiture et l’audit s’est très "
                    "bien passé. Je ne m’en passerai plus."
                ),
                days_ago=66,
            ),
        ),
        reactions=(
            ("julien", "tried_it"),
            ("isabelle", "tried_it"),
            ("thomas", "plus_one"),
            ("karim", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Dimensionner la pompe à chaleur sur une vraie étude de déperditions",
        body=(
            "Trop de PAC sont dimensionnées « au doigt mouillé » à partir de l’ancienne "
            "chaudière. Résultat : des machines surdimensionnées qui font des cycles courts "
            "et s’usent vite. Ma pratique :\n\n"
            "- calcul des déperditions pièce par pièce, *après* les travaux d’isolation prévus ;\n"
            "- vérification des émetteurs et de la température de départ ;\n"
            "- mise en œuvre selon le NF DTU 65.16.\n\n"
            "C’est une heure de plus au bureau, mais des clients qui réalisent de vraies "
            "économies sur leur facture énergétique."
        ),
        tags=("pac", "dimensionnement", "dtu"),
        column=2,
        author="julien",
        days_ago=57,
        comments=(
            DemoComment(
                author="emilie",
                body=(
                    "Entièrement d’accord. Je peux faire le calcul des déperditions pour "
                    "ceux qui n’ont pas le logiciel, on en parle à l’atelier."
                ),
                days_ago=55,
            ),
            DemoComment(
                author="olivier",
                body=(
                    "Même constat pour les poêles à granulés : on en installe trop de "
                    "puissants dans des maisons isolées."
                ),
                days_ago=52,
            ),
            DemoComment(
                author="sandrine",
                body=(
                    "Et ne pas oublier l’alimentation électrique : j’ai déjà dû refaire un tableau."
                ),
                days_ago=50,
            ),
        ),
        reactions=(
            ("emilie", "tried_it"),
            ("sandrine", "plus_one"),
            ("olivier", "tried_it"),
            ("antoine", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Soigner la jonction menuiserie / isolant pour éviter les ponts thermiques",
        body=(
            "Quand on change les fenêtres sans coordination avec l’isolation des murs, on "
            "crée un pont thermique autour du dormant. Ce que je fais désormais :\n\n"
            "- je demande au client si une ITE ou une isolation intérieure est prévue ;\n"
            "- je pose en applique ou en tunnel selon le cas, conformément au NF DTU 36.5 ;\n"
            "- je pose une membrane d’étanchéité raccordée au futur isolant."
        ),
        tags=("menuiseries", "ponts-thermiques", "étanchéité"),
        column=1,
        author="mehdi",
        days_ago=38,
        comments=(
            DemoComment(
                author="karim",
                body="Ça change tout pour moi quand j’arrive derrière pour isoler. Merci !",
                days_ago=36,
            ),
            DemoComment(
                author="antoine",
                body=(
                    "À intégrer dans nos devis de rénovation globale : la pose des "
                    "fenêtres doit être phasée avec l’isolation."
                ),
                days_ago=35,
            ),
        ),
        reactions=(
            ("karim", "plus_one"),
            ("nathalie", "useful"),
            ("julien", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Réunion de fin de chantier avec le client et tous les corps d’état",
        body=(
            "À la SCOP, on termine chaque rénovation par une réunion d’une heure sur place "
            "avec le client et toutes les entreprises intervenues. On explique le "
            "fonctionnement de la PAC, de la VMC, l’entretien des menuiseries.\n\n"
            "Moins d’appels pour rien ensuite, et des clients qui nous recommandent."
        ),
        tags=("relation-client", "chantier", "groupement"),
        column=1,
        author="lucie",
        days_ago=26,
        comments=(
            DemoComment(
                author="julien",
                body=(
                    "Je laisse aussi une fiche plastifiée près de la PAC, ça évite bien des pannes."
                ),
                days_ago=24,
            ),
            DemoComment(
                author="sandrine",
                body="On pourrait faire une fiche commune pour les chantiers du groupement.",
                days_ago=22,
            ),
        ),
        reactions=(
            ("julien", "plus_one"),
            ("sandrine", "plus_one"),
            ("antoine", "tried_it"),
            ("claire", "useful"),
        ),
    ),
    DemoCard(
        kind="practice",
        title="Après l’isolation, toujours vérifier la ventilation",
        body=(
            "Une maison qu’on isole et qu’on rend étanche sans ventiler, c’est de la "
            "condensation et des moisissures assurées. Avant de fermer un chantier "
            "d’isolation ou de façade, je vérifie les entrées d’air et je demande si une "
            "VMC est prévue ; sinon, je le signale par écrit au client."
        ),
        tags=("ventilation", "isolation", "humidité"),
        column=0,
        author="nathalie",
        days_ago=9,
        comments=(
            DemoComment(
                author="julien",
                body="Indispensable. Je le note aussi sur mes devis de PAC.",
                days_ago=8,
            ),
            DemoComment(
                author="emilie",
                body=(
                    "Bon réflexe. Dans mes audits, l’absence de ventilation est l’un des "
                    "défauts que je relève le plus souvent après isolation."
                ),
                days_ago=7.5,
            ),
        ),
        reactions=(
            ("julien", "plus_one"),
            ("emilie", "useful"),
            ("karim", "plus_one"),
        ),
    ),
)


# --------------------------------------------------------------------------------------
# Board « Questions »
# --------------------------------------------------------------------------------------

QUESTIONS_CARDS: tuple[DemoCard, ...] = (
    DemoCard(
        kind="question",
        title="Renouvellement de la qualification RGE : combien de temps faut-il prévoir ?",
        body=(
            "Ma qualification RGE arrive à échéance dans six mois. Qui l’a renouvelée "
            "récemment ? Combien de temps entre le dépôt du dossier et la décision, et "
            "faut-il refaire la formation ?"
        ),
        tags=("rge", "qualification"),
        column=2,
        author="thomas",
        days_ago=100,
        comments=(
            DemoComment(
                author="sandrine",
                body=(
                    "Pour moi, environ trois mois entre le dépôt et la décision. "
                    "Anticipe l’audit de chantier, c’est lui qui prend le plus de temps."
                ),
                days_ago=99,
            ),
            DemoComment(
                author="julien",
                body=(
                    "Pas besoin de refaire toute la formation si ton référent technique "
                    "est toujours le même, mais vérifie auprès de ton organisme."
                ),
                days_ago=97,
            ),
            DemoComment(
                author="claire",
                body="La CMA peut relire ton dossier avant dépôt, envoie-le-moi.",
                days_ago=95,
            ),
        ),
        reactions=(
            ("isabelle", "useful"),
            ("mehdi", "useful"),
        ),
    ),
    DemoCard(
        kind="question",
        title=(
            "Sous-traitance : mon sous-traitant doit-il être RGE pour que le client ait les aides ?"
        ),
        body=(
            "Je sous-traite parfois l’isolation des tableaux à un collègue non qualifié. "
            "Si le client demande MaPrimeRénov’, est-ce que ça pose problème ?"
        ),
        tags=("rge", "sous-traitance", "maprimerénov"),
        column=2,
        author="mehdi",
        days_ago=68,
        comments=(
            DemoComment(
                author="claire",
                body=(
                    "Oui : pour les travaux aidés, c’est l’entreprise qui **réalise** les "
                    "travaux qui doit détenir la qualification RGE correspondante, "
                    "sous-traitant compris."
                ),
                days_ago=67,
            ),
            DemoComment(
                author="emilie",
                body=(
                    "Et le devis doit mentionner le sous-traitant et sa qualification. "
                    "Vérifiez-le sur l’annuaire France Rénov’ avant de signer."
                ),
                days_ago=66,
            ),
            DemoComment(
                author="mehdi",
                body="Merci à vous deux, je vais passer par Karim qui est qualifié.",
                days_ago=60,
            ),
        ),
        reactions=(
            ("karim", "useful"),
            ("nathalie", "useful"),
            ("thomas", "useful"),
            ("julien", "useful"),
        ),
    ),
    DemoCard(
        kind="question",
        title="Assurance décennale en groupement : qui couvre quoi ?",
        body=(
            "Dans un groupement d’entreprises, est-ce que chaque entreprise reste "
            "couverte par sa propre décennale pour son lot ? Et qui est responsable des "
            "interfaces entre lots (jonction fenêtre / isolant par exemple) ?"
        ),
        tags=("assurance", "groupement", "décennale"),
        column=2,
        author="lucie",
        days_ago=52,
        comments=(
            DemoComment(
                author="antoine",
                body=(
                    "Chaque cotraitant reste assuré pour son lot. Pour les interfaces, il "
                    "faut les décrire précisément dans les devis et la convention, sinon "
                    "c’est le flou. Prévenez vos assureurs que vous travaillez en GME."
                ),
                days_ago=50,
            ),
            DemoComment(
                author="claire",
                body=(
                    "La juriste de la CMA confirme. Elle a ajouté une clause « interfaces » "
                    "dans la convention type du groupement."
                ),
                days_ago=46,
            ),
        ),
        reactions=(
            ("julien", "useful"),
            ("sandrine", "useful"),
            ("thomas", "useful"),
        ),
    ),
    DemoCard(
        kind="question",
        title="Audit énergétique obligatoire à la vente : qui peut le réaliser ?",
        body=(
            "Des clients qui vendent une maison classée F ou G me demandent un audit "
            "énergétique. Qui, dans le groupe, est habilité à le faire ?"
        ),
        tags=("audit", "dpe"),
        column=2,
        author="nathalie",
        days_ago=44,
        comments=(
            DemoComment(
                author="emilie",
                body=(
                    "Je peux le faire : il faut un auditeur qualifié (bureau d’études RGE "
                    "audit, architecte formé ou diagnostiqueur certifié). Envoyez-moi les "
                    "coordonnées, délai actuel environ trois semaines."
                ),
                days_ago=43,
            ),
            DemoComment(
                author="antoine",
                body=(
                    "Je confirme, et l’audit propose des scénarios de travaux : bonne "
                    "porte d’entrée."
                ),
                days_ago=42,
            ),
        ),
        reactions=(
            ("isabelle", "useful"),
            ("sandrine", "useful"),
        ),
    ),
    DemoCard(
        kind="question",
        title="Quels délais de paiement réels pour les primes CEE et MaPrimeRénov’ ?",
        body=(
            "Je fais souvent l’avance de l’aide quand le client me la cède. Combien de "
            "temps attendez-vous en moyenne avant d’être payés ? Ma trésorerie commence à "
            "souffrir."
        ),
        tags=("trésorerie", "aides", "maprimerénov"),
        column=1,
        author="isabelle",
        days_ago=33,
        comments=(
            DemoComment(
                author="julien",
                body=(
                    "Entre un et trois mois pour les CEE selon l’obligé. Pour MaPrimeRénov’, "
                    "ça a été plus long l’an dernier, parfois plus de quatre mois."
                ),
                days_ago=31,
            ),
            DemoComment(
                author="sandrine",
                body=(
                    "J’ai arrêté d’avancer plus de 30 % du montant. Au-delà, je demande un "
                    "acompte plus important au client."
                ),
                days_ago=29,
            ),
            DemoComment(
                author="lucie",
                body=(
                    "On en parlera au diagnostic 360° : la CMA peut regarder avec chacun "
                    "les solutions de trésorerie."
                ),
                days_ago=15,
            ),
        ),
        reactions=(
            ("sandrine", "plus_one"),
            ("thomas", "plus_one"),
            ("karim", "plus_one"),
        ),
    ),
    DemoCard(
        kind="question",
        title="Quelqu’un a déjà travaillé avec un Accompagnateur Rénov’ du côté de Nyons ?",
        body=(
            "On m’a demandé de chiffrer une surélévation avec isolation de toiture dans une "
            "rénovation d’ampleur. Le client doit passer par un Accompagnateur Rénov’ : "
            "est-ce que quelqu’un en connaît un fiable sur le secteur de Nyons ?"
        ),
        tags=("accompagnateur-rénov", "rénovation-globale"),
        column=0,
        author="patrick",
        days_ago=1.5,
    ),
    DemoCard(
        kind="question",
        title="PAC en copropriété : qui a déjà fait voter un remplacement de chaudière ?",
        body=(
            "Un syndic de Romans me demande de chiffrer le remplacement de la chaudière gaz "
            "collective par une pompe à chaleur air/eau. Quelqu’un a-t-il déjà porté ce genre "
            "de projet jusqu’au vote en assemblée générale ? Je cherche surtout la liste des "
            "pièces que le syndic attend avant de l’inscrire à l’ordre du jour."
        ),
        tags=("pompe-à-chaleur", "copropriété"),
        column=0,
        author="julien",
        days_ago=3.0,
    ),
)


BOARDS: tuple[DemoBoard, ...] = (
    DemoBoard(
        name="Idées",
        kind="ideas",
        description=(
            "Les idées du groupe pour mieux travailler ensemble, de l’émergence à la "
            "capitalisation. Une idée expérimentée sur un chantier passe en « Expérimentée »."
        ),
        cards=IDEAS_CARDS,
    ),
    DemoBoard(
        name="Bonnes pratiques",
        kind="practices",
        description=(
            "Vos pratiques de chantier, de devis et de relation client qui ont fait leurs "
            "preuves. Essayez celles des autres et dites-le avec la réaction « J’ai essayé »."
        ),
        cards=PRACTICES_CARDS,
    ),
    DemoBoard(
        name="Questions",
        kind="questions",
        description=(
            "Une question technique, réglementaire ou administrative ? Posez-la ici : "
            "le groupe et l’animatrice y répondent."
        ),
        cards=QUESTIONS_CARDS,
    ),
)


COLLECTIVE: DemoCollective = DemoCollective(
    name="Rénover ensemble en Drôme",
    description=(
        "Douze entreprises artisanales du bâtiment de la Drôme se regroupent pour "
        "développer la rénovation énergétique performante : partager leurs pratiques, "
        "monter un groupement d’entreprises capable de répondre aux offres de rénovation "
        "globale, et renforcer chacune leur organisation grâce à un diagnostic 360°."
    ),
    theme="Rénovation énergétique des logements",
    territory="Drôme (vallée de la Drôme, Diois et Drôme provençale)",
    funders=(
        "Région Auvergne-Rhône-Alpes",
        "CMA Auvergne-Rhône-Alpes",
        "ADEME Auvergne-Rhône-Alpes",
    ),
    starts_on_offset_days=-125,
    ends_on_offset_days=180,
    people=PEOPLE,
    phases=PHASES,
    boards=BOARDS,
)


# --------------------------------------------------------------------------------------
# Meetings, and a little moderation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    kind: str  # "meeting" | "workshop"
    days_ago: int
    notes: str
    attendees: tuple[str, ...]  # person keys; those not yet in the collective are left out


MEETINGS: tuple[DemoMeeting, ...] = (
    DemoMeeting(
        title="Réunion de lancement à la CMA de Valence",
        kind="meeting",
        days_ago=100,
        notes="Présentation du programme, des phases et de l'espace Essaim ; tour de table des "
        "entreprises et de leurs attentes.",
        attendees=(
            "claire",
            "julien",
            "sandrine",
            "lucie",
            "karim",
            "antoine",
            "emilie",
            "thomas",
            "mehdi",
            "isabelle",
            "helene",
        ),
    ),
    DemoMeeting(
        title="Atelier thermographie et étanchéité à l'air",
        kind="workshop",
        days_ago=45,
        notes="Démonstration de caméra thermique sur un chantier de Karim à Crest ; "
        "test d'infiltrométrie commenté.",
        attendees=("claire", "karim", "antoine", "lucie", "thomas", "nathalie", "olivier"),
    ),
    DemoMeeting(
        title="Atelier aides MaPrimeRénov' et CEE",
        kind="workshop",
        days_ago=12,
        notes="Les dossiers qui bloquent, les pièces à demander au client dès le devis.",
        attendees=("claire", "sandrine", "emilie", "mehdi", "isabelle", "patrick", "julien"),
    ),
)

# The card the animator pins (board index, card index), and an open flag for the review queue:
# (board index, card index, flagging person, reason, note).
PINNED_CARD = (0, 0)
OPEN_FLAG = (
    2,
    0,
    "olivier",
    "off_topic",
    "Cette question a déjà été posée sur le tableau des pratiques, non ?",
)


# --------------------------------------------------------------------------------------
# Animation: visits and rhythms, so the engagement figures and alerts have something to show
# --------------------------------------------------------------------------------------

# Members who mostly read: they come every few days and seldom write (the pyramid's readers).
READERS: tuple[str, ...] = ("olivier", "patrick", "helene")
READER_VISIT_EVERY_DAYS = 3.0
# Everyone else comes by about weekly, and on the days they write.
VISIT_EVERY_DAYS = 7.0
# A member with a steady habit (something every week or so for three months) who then went
# silent 38 days ago: the « membre silencieux » alert of the demo. Their « utile » on these
# cards (board index, card index) fill the gaps of their habit.
FADING_MEMBER = "mehdi"
FADING_MEMBER_USEFUL = ((0, 3), (1, 0), (1, 3), (1, 4), (2, 2), (2, 3))


def _with_useful(
    collective: DemoCollective, who: str, cards: tuple[tuple[int, int], ...]
) -> DemoCollective:
    boards = list(collective.boards)
    for b, c in cards:
        board_cards = list(boards[b].cards)
        card = board_cards[c]
        board_cards[c] = replace(card, reactions=(*card.reactions, (who, "useful")))
        boards[b] = replace(boards[b], cards=tuple(board_cards))
    return replace(collective, boards=tuple(boards))


COLLECTIVE = _with_useful(COLLECTIVE, FADING_MEMBER, FADING_MEMBER_USEFUL)
