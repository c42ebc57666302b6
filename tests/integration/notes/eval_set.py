"""A small evaluation set: lecture transcripts written for these tests, each with the terms a good
note on it must contain. Key-term recall of generated notes is measured against them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    lines: tuple[str, ...]
    terms: tuple[str, ...]

    def srt(self, seconds_per_line: int = 12) -> str:
        blocks = []
        for i, line in enumerate(self.lines):
            start, end = i * seconds_per_line, (i + 1) * seconds_per_line
            blocks.append(f"{i + 1}\n{_t(start)} --> {_t(end)}\n{line}\n")
        return "\n".join(blocks)

    def vtt(self, seconds_per_line: int = 12) -> str:
        cues = [
            f"{_t(i * seconds_per_line, '.')} --> {_t((i + 1) * seconds_per_line, '.')}\n{line}\n"
            for i, line in enumerate(self.lines)
        ]
        return "WEBVTT\n\n" + "\n".join(cues)

    @property
    def minutes(self) -> float:
        return len(self.lines) * 12 / 60


def _t(seconds: int, sep: str = ",") -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}{sep}000"


PHOTOSYNTHESIS = Case(
    "photosynthesis",
    "Photosynthesis explained",
    (
        "Today we look at photosynthesis, the process plants use to turn light into chemical energy.",
        "Photosynthesis happens inside the chloroplast, a small organelle found in leaf cells.",
        "The chloroplast contains chlorophyll, the green pigment that absorbs red and blue light.",
        "The first stage is the light reactions, which take place in the thylakoid membranes.",
        "In the light reactions water is split, oxygen is released and energy is stored as ATP and NADPH.",
        "The second stage is the Calvin cycle, which runs in the stroma around the thylakoids.",
        "The Calvin cycle uses ATP and NADPH to fix carbon dioxide into sugar.",
        "The enzyme rubisco captures carbon dioxide at the start of the Calvin cycle.",
        "So chlorophyll captures light, the thylakoid makes ATP, and the Calvin cycle builds glucose.",
        "Remember that oxygen from photosynthesis comes from water, not from carbon dioxide.",
        "Plants in hot climates use extra tricks to keep rubisco working when the stomata close.",
        "Next time we compare photosynthesis with cellular respiration in the mitochondria.",
    ),
    ("photosynthesis", "chloroplast", "chlorophyll", "thylakoid", "Calvin cycle", "rubisco", "ATP", "NADPH"),
)

SUPPLY_DEMAND = Case(
    "supply_demand",
    "Supply and demand",
    (
        "This lecture is about markets and how prices are set by supply and demand.",
        "The demand curve slopes downward: when the price rises, buyers want a smaller quantity.",
        "The supply curve slopes upward: when the price rises, sellers offer a larger quantity.",
        "Where the two curves cross we find the equilibrium price and the equilibrium quantity.",
        "If the price sits above equilibrium there is a surplus and sellers cut prices.",
        "If the price sits below equilibrium there is a shortage and buyers bid prices up.",
        "Elasticity measures how strongly the quantity demanded reacts to a change in price.",
        "Goods with few substitutes, like insulin, have inelastic demand.",
        "A price ceiling set below equilibrium creates a lasting shortage, as with rent control.",
        "A price floor set above equilibrium creates a surplus, as with some minimum wages.",
        "Taxes shift the supply curve and split the burden between buyers and sellers by elasticity.",
        "Next week we look at consumer surplus and producer surplus in more detail.",
    ),
    ("demand", "supply", "equilibrium", "surplus", "shortage", "elasticity", "price ceiling", "price floor"),
)

NEURONS = Case(
    "neurons",
    "How neurons fire",
    (
        "A neuron is a cell that carries electrical signals through the nervous system.",
        "Each neuron has dendrites that receive signals and an axon that sends them on.",
        "At rest the membrane potential is about minus seventy millivolts.",
        "When the membrane reaches threshold, sodium channels open and sodium rushes into the neuron.",
        "This rapid change is the action potential, an all or nothing electrical spike.",
        "Potassium channels then open and potassium flows out, which repolarizes the membrane.",
        "The myelin sheath wraps the axon and makes the action potential travel much faster.",
        "Signals jump between gaps in the myelin called nodes of Ranvier.",
        "At the synapse the neuron releases a neurotransmitter such as dopamine or serotonin.",
        "The neurotransmitter binds receptors on the next neuron and may trigger a new action potential.",
        "Drugs often act at the synapse by blocking reuptake of the neurotransmitter.",
        "Next time we will see how networks of neurons store memories.",
    ),
    ("neuron", "axon", "dendrites", "action potential", "membrane potential", "myelin", "synapse", "neurotransmitter"),
)

PLATE_TECTONICS = Case(
    "plate_tectonics",
    "Plate tectonics in twelve minutes",
    (
        "The outer shell of the Earth, the lithosphere, is broken into large tectonic plates.",
        "The tectonic plates float on the asthenosphere, a hot and slowly flowing layer of the mantle.",
        "Heat from the core drives convection currents in the mantle that move the plates.",
        "At a divergent boundary two plates move apart and new crust forms along a mid-ocean ridge.",
        "At a convergent boundary plates collide, and the denser oceanic plate sinks in subduction.",
        "Subduction builds deep ocean trenches and chains of volcanoes such as the Andes.",
        "At a transform boundary plates slide past each other, like the San Andreas fault.",
        "Stress builds up along a fault until it is released suddenly as an earthquake.",
        "Continental drift was proposed by Alfred Wegener from matching coastlines and fossils.",
        "Seafloor spreading at the mid-ocean ridge later explained how continental drift works.",
        "Magnetic stripes on the seafloor record reversals of the magnetic field over time.",
        "Next time we look at how earthquakes are measured with seismographs.",
    ),
    (
        "lithosphere",
        "tectonic plates",
        "mantle",
        "convection",
        "subduction",
        "divergent boundary",
        "earthquake",
        "continental drift",
    ),
)

BINARY_SEARCH = Case(
    "binary_search",
    "Binary search and sorted arrays",
    (
        "Today we study binary search, a fast way to find a value in a sorted array.",
        "Linear search checks every element in turn, so it needs up to n comparisons.",
        "Binary search compares the target with the middle element of the sorted array.",
        "If the target is smaller, the search continues in the left half, otherwise in the right half.",
        "Each comparison halves the search interval, so binary search needs about log n steps.",
        "We say its time complexity is logarithmic, written O of log n.",
        "The invariant is that the target, if present, always lies between the low and high index.",
        "An off by one error in the low and high index is the most common bug in binary search.",
        "Binary search only works when the array is sorted, so sorting costs n log n first.",
        "The same idea finds the first position where a condition becomes true, called a lower bound.",
        "A binary search tree stores keys so that the same halving works for insertions too.",
        "Next lecture we compare the binary search tree with a hash table.",
    ),
    (
        "binary search",
        "sorted array",
        "linear search",
        "middle element",
        "log n",
        "time complexity",
        "invariant",
        "binary search tree",
    ),
)

# A handful of short lectures from different subjects, each with the terms a good note on it must
# name. Every term occurs in its transcript (tests/unit/notes/test_evaluation_set.py checks it), so
# a recall of 1.0 is reachable by any note that keeps the lecture's vocabulary.
CASES = (PHOTOSYNTHESIS, SUPPLY_DEMAND, NEURONS, PLATE_TECTONICS, BINARY_SEARCH)


def long_lecture(minutes: int = 40) -> Case:
    """A long timed transcript: the three lectures over and over, enough for several chunks."""
    lines: list[str] = []
    while len(lines) * 12 < minutes * 60:
        for case in (PHOTOSYNTHESIS, SUPPLY_DEMAND, NEURONS):
            lines.extend(case.lines)
    return Case("long", "A long lecture", tuple(lines[: minutes * 5]), PHOTOSYNTHESIS.terms)
