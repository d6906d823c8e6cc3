"""errors.first_lines: the one helper that cuts a long library error to a line for the user."""

import torch

from ganstudio.errors import first_lines


def test_first_lines_of_a_real_load_state_dict_error():
    try:
        torch.nn.Linear(2, 3).load_state_dict({"weight": torch.zeros(4, 2), "bias": torch.zeros(3)})
    except RuntimeError as e:
        err = e
    assert str(err).count("\n") >= 1
    assert first_lines(err) == "Error(s) in loading state_dict for Linear:"
    two = first_lines(err, 2)
    assert "\n" not in two and two.startswith("Error(s) in loading state_dict for Linear: size mismatch for weight")


def test_blank_lines_limits_and_empty_errors():
    assert first_lines(ValueError("\n\n  first  \n\n second\nthird"), 2) == "first second"
    assert first_lines("a message\nwith a tail") == "a message"  # plain strings too
    assert first_lines(RuntimeError("x" * 500), limit=200) == "x" * 200
    assert first_lines(KeyError()) == "KeyError" and first_lines(RuntimeError("  \n ")) == "RuntimeError"
    assert first_lines("") == ""
