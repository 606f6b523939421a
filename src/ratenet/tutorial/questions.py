# ruff: noqa: E501  (long lines are HTML prose)
"""The fifteen questions of the rate-model tutorial (TD5), restated in the project's words.

Each entry is data: an id, a short title, which part of the tutorial it belongs to, and the
question as we put it to a student. The answers, derivations and checks are built from the
library in :mod:`ratenet.tutorial.ring_part` and :mod:`ratenet.tutorial.ei_part`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QUESTIONS", "Question"]


@dataclass(frozen=True)
class Question:
    """A tutorial question.

    Attributes
    ----------
    id : str
        ``"Q1"`` to ``"Q15"``.
    number : int
    part : str
        ``"ring"`` (part 1) or ``"ei"`` (part 2).
    title : str
    prompt : str
        The question in our own words (HTML).
    """

    id: str
    number: int
    part: str
    title: str
    prompt: str


_Q = [
    ("ring", "Input to a neuron in the uniform state",
     "The external drive is the same constant h<sub>0</sub> &gt; 0 for every neuron and the network "
     "sits in a state where every neuron fires at the same rate m<sub>0</sub>. What total input "
     "current does one neuron receive?"),
    ("ring", "The uniform rate",
     "From that current, find the rate m<sub>0</sub> at which the uniform state is at rest."),
    ("ring", "How the uniform rate depends on J<sub>0</sub>",
     "Describe m<sub>0</sub> as a function of the uniform coupling J<sub>0</sub>: where does a "
     "positive uniform state exist, and what happens at the two ends of that range?"),
    ("ring", "Meaning of the order parameter M(t)",
     "Perturb the uniform state, m = m<sub>0</sub> + δm(θ, t). What does "
     "M(t) = (1/2π)∫ δm(θ′, t) dθ′ measure?"),
    ("ring", "Order parameters of a uniform perturbation",
     "If every neuron is pushed by the same small amount ε, what are M and C?"),
    ("ring", "Order parameters of a cosine-shaped perturbation",
     "If the push is ε cos(θ − φ), a small bump centred on φ, what are M and C?"),
    ("ring", "Meaning of the order parameter C(t)",
     "What do the modulus and the argument of the complex number "
     "C(t) = (1/2π)∫ δm(θ′, t) e<sup>iθ′</sup> dθ′ tell us about the perturbation?"),
    ("ring", "Linearised dynamics",
     "Linearise the rate equation about m<sub>0</sub> and write the right-hand side using only "
     "δm(θ, t), M(t) and C(t)."),
    ("ring", "Equations for M and C",
     "Derive the ordinary differential equations obeyed by M(t) and C(t)."),
    ("ring", "Stability of the uniform state",
     "When does every small perturbation of the uniform state die out, and what does the "
     "network do when one of these conditions fails?"),
    ("ring", "Response to a weakly tuned input",
     "With J<sub>0</sub> &lt; 1 and J<sub>1</sub> &lt; 2, add a weak orientation-dependent "
     "part to the drive, h(θ) = h<sub>0</sub> + ε cos θ with small ε. What activity profile "
     "does the network settle into?"),
    ("ring", "When does the network amplify its input?",
     "Writing the steady profile as m(θ) = m<sub>0</sub> + m<sub>1</sub> cos θ, find when the "
     "tuning of the output is sharper than that of the input, i.e. "
     "m<sub>1</sub>/m<sub>0</sub> &gt; ε/h<sub>0</sub>."),
    ("ei", "Nullclines of the E-I model",
     "For two populations with rates ν<sub>E</sub> and ν<sub>I</sub> "
     "(M<sub>EE</sub> = 1.25, M<sub>EI</sub> = −1, M<sub>IE</sub> = 1, M<sub>II</sub> = 0, "
     "γ<sub>E</sub> = −10 Hz, γ<sub>I</sub> = 10 Hz, τ<sub>E</sub> = 10 ms), draw the curves on "
     "which dν<sub>E</sub>/dt = 0 and dν<sub>I</sub>/dt = 0. When is there a fixed point?"),
    ("ei", "Flow in the phase plane",
     "On each side of the two nullclines, which way do the rates move? Draw the horizontal "
     "arrows (sign of dν<sub>E</sub>/dt) and the vertical ones (sign of dν<sub>I</sub>/dt)."),
    ("ei", "Stability of the fixed point and what replaces it",
     "Find the eigenvalues of the linearised dynamics at the fixed point for "
     "τ<sub>I</sub> = 30, 40 and 50 ms. When is the fixed point stable, and what does the "
     "network do when it is not?"),
]

#: The tutorial's questions, in order.
QUESTIONS: tuple[Question, ...] = tuple(
    Question(f"Q{k}", k, part, title, prompt) for k, (part, title, prompt) in enumerate(_Q, 1)
)
