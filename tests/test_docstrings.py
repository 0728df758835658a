"""Every public function, class and method carries a numpydoc docstring with
Parameters, Returns, Raises and Examples (the rule and its exceptions are in
``tests/_doclint.py`` and ``docs/architecture.md``)."""
from _doclint import _public_objects, problems


def test_public_surface_is_found():
    # the lint must not pass vacuously: it sees the laws, the dnn layer and their methods
    names = {q for q, _, _ in _public_objects()}
    assert len(names) > 300
    assert {"freealg.MarchenkoPastur", "freealg.MLP.jacobian_law", "freealg.verify.check_fim_spectrum",
            "freealg.free_cumulants"} <= names


def test_every_public_docstring_follows_numpydoc():
    bad = problems()
    report = "\n".join(f"{q}: {'; '.join(m)}" for q, m in bad)
    assert not bad, f"{len(bad)} public objects fail the docstring rule (python tests/_doclint.py):\n{report}"
