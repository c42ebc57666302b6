"""A small labelled retrieval set: RodeoAI-style knowledge-base passages and questions with the passage that answers each.

Questions are worded differently from their passages (few shared words) so a bag-of-words match alone does
not score well; recall@5 over it measures the embedding model.
"""

from __future__ import annotations

PASSAGES: dict[str, str] = {
    "barrel-pattern": "The cloverleaf barrel pattern has three barrels set in a triangle. The rider circles each barrel "
    "once, two in one direction and one in the other, then sprints home through the timer.",
    "knocked-barrel": "Tipping a barrel over adds a five second penalty to the run. Touching a barrel is allowed as long "
    "as it stays upright.",
    "saddle-fit": "A well-fitting saddle leaves two to three fingers of clearance above the withers and sits level, so "
    "the rider's weight is spread along the horse's back.",
    "horse-water": "An adult horse drinks between twenty-five and fifty litres each day, more in hot weather or after "
    "hard work. Keep fresh water available at all times.",
    "hoof-care": "Hooves grow about a centimetre a month; a farrier should trim or reshoe them every six to eight weeks "
    "to prevent cracks and lameness.",
    "colic-signs": "Colic shows as pawing, rolling, looking at the flanks and refusing feed. Call a veterinarian at once "
    "and remove food while you wait.",
    "roping-loop": "For heading, build a loop about as long as your arm span, hold the spoke a third of the way down, and "
    "swing flat over your head before delivering it over the horns.",
    "bull-riding-score": "A bull ride is scored out of one hundred points: up to fifty for the bull's bucking and fifty "
    "for the rider's control. The rider must stay on eight seconds with one hand free.",
    "arena-footing": "Arena footing should be deep enough to cushion joints, about two to three inches of sand over a firm "
    "base, and watered to keep dust down.",
    "trailer-loading": "To load a nervous horse into a trailer, practise on the ground first, reward each step forward and "
    "never tie the horse before the divider or butt bar is closed.",
    "membership-fees": "Association membership costs forty dollars a year for adults and twenty for youth riders under "
    "eighteen, and includes event insurance.",
    "entry-refunds": "Entry fees are refunded in full when a rodeo is cancelled by the organiser; a rider who withdraws "
    "less than forty-eight hours before the event gets no refund.",
    "helmet-rules": "Riders under eighteen must wear an approved safety helmet in every speed event; adults may choose a "
    "helmet or a cowboy hat.",
    "vaccinations": "Horses need yearly vaccines against tetanus, eastern and western encephalitis, West Nile virus and "
    "rabies, with a negative Coggins test for travel.",
    "goat-tying": "In goat tying the rider dismounts, flanks the goat and ties three legs with a pigging string; the tie "
    "must hold six seconds after the rider steps back.",
    "feeding-hay": "Most horses need hay equal to about two percent of their body weight every day, split into at least "
    "two meals.",
}

QUESTIONS: list[tuple[str, str]] = [
    ("How many barrels are in the race and how does the route go?", "barrel-pattern"),
    ("What happens if I knock one of the barrels down?", "knocked-barrel"),
    ("How do I know my saddle is sized right?", "saddle-fit"),
    ("How much should my mare drink per day?", "horse-water"),
    ("How often should the farrier come out?", "hoof-care"),
    ("My gelding keeps pawing and rolling, what should I do?", "colic-signs"),
    ("How big should my rope be when I'm heading steers?", "roping-loop"),
    ("How do the judges give points on a bull?", "bull-riding-score"),
    ("How deep should the sand in the ring be?", "arena-footing"),
    ("My horse won't get into the trailer, any tips?", "trailer-loading"),
    ("What is the yearly price to join for a teenager?", "membership-fees"),
    ("Do I get my money back if I pull out the day before?", "entry-refunds"),
    ("Does my 15 year old have to wear head protection?", "helmet-rules"),
    ("Which shots does my horse need every year?", "vaccinations"),
    ("How long does the goat need to stay tied?", "goat-tying"),
    ("How much forage should a 500 kg horse eat daily?", "feeding-hay"),
]


def recall_at(k: int, ranked: dict[str, list[str]]) -> float:
    """Share of questions whose answering passage is among the first k ranked ids."""
    hits = sum(1 for question, expected in QUESTIONS if expected in ranked[question][:k])
    return hits / len(QUESTIONS)
