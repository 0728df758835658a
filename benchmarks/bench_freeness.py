"""Benchmark: the freeness engine on tr((J J^T)^k) for deep-network Jacobians.

Run:  python benchmarks/bench_freeness.py [--quick] [--repeat R]

J = D_L W_L ... D_1 W_1 (Pennington-Schoenholz-Ganguli convention, so the
word (J J^T)^k has 4 L k letters: 64 for L = k = 4), with
  * Haar orthogonal W_l (scale 1 exact, or a sympy symbol sigma_w), or
    Ginibre W_l (variance 1, or sigma_w**2);
  * diagonal D_l: Bernoulli(1/2) (exact) or a symbolic law m_j(D_l).

For each case it prints the median time of a cold computation (a fresh
FreeModel, so no memo is reused), the number of non-crossing partitions the
Kreweras recursion visits (sum over all memoised reductions), the sum of
Cat(runs) over those reductions, and Cat(word length) -- what a flat sum over
NC(word) would enumerate.

Baselines run in the same process:
  * flat: cumulants.moment_from_cumulants on the whole word with the
    letter-level cumulants (first-block recursion over subsets, memoised on
    sub-words; no family structure) -- only for words of <= 16 letters;
  * expand: FreeModel.expand (letter-level NC partitions with zero-pruning,
    no family relations) -- only for words of <= 16 letters.
"""

import argparse
import statistics
import time
from fractions import Fraction

import sympy

from freealg import FreeModel, I, catalan, free_mul_moments, nc_symbols, tr
from freealg.cumulants import moment_from_cumulants
from freealg.errors import TooLargeError


def median_time(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def build(L, kind, symbolic):
    sigma = sympy.Symbol("sigma_w") if symbolic else 1
    Ws = [nc_symbols(f"W{i}") for i in range(1, L + 1)]
    Ds = [nc_symbols(f"D{i}", selfadjoint=True) for i in range(1, L + 1)]
    model = FreeModel()
    for W in Ws:
        if kind == "haar":
            model.haar_orthogonal(W, scale=sigma)
        else:
            model.ginibre(W, variance=sigma ** 2)
    model.diagonal(Ds, moments=None if symbolic else (lambda j: Fraction(1, 2)))
    J = I
    for W, D in zip(Ws, Ds):
        J = D * W * J
    return model, J


def flat_baseline(model, word_trace):
    """moment_from_cumulants over the whole word (no family structure)."""
    t, words, orders = model._prepare(word_trace, "moment")
    eng = model._engine_for(orders)
    (_, _, codes), = words

    def kappa(block):
        f = eng.fam_of[block[0]]
        if any(eng.fam_of[c] != f for c in block):
            return 0
        return eng.fams[f].letter_cumulant(tuple(block))

    return eng.dom.out(moment_from_cumulants(codes, kappa))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="L, k <= 3 only")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    top = 3 if args.quick else 4

    print(f"{'case':<28}{'letters':>8}{'median s':>10}{'visited':>9}{'sum Cat':>9}"
          f"{'Cat(word)':>12}{'flat s':>9}{'ratio':>8}{'expand s':>10}{'ratio':>8}")
    worst = 0.0
    for kind in ("haar", "ginibre"):
        for symbolic in (False, True):
            for L in range(2, top + 1):
                for k in range(2, top + 1):
                    model, J = build(L, kind, symbolic)
                    p = (J * J.T) ** k
                    n = p.degree()

                    def cold():
                        m, _ = build(L, kind, symbolic)
                        v = m.moment(tr(p))
                        return v, m.last_stats

                    sec, (value, stats) = median_time(cold, args.repeat)
                    worst = max(worst, sec)
                    flat = ratio_f = ""
                    if n <= 16 and not symbolic:
                        fs, fv = median_time(lambda: flat_baseline(build(L, kind, symbolic)[0], tr(p)), 1)
                        assert fv == value, (fv, value)
                        flat, ratio_f = f"{fs:.3f}", f"{fs / sec:.0f}x"
                    exp = ratio_e = ""
                    if n <= 16:
                        try:
                            es, ev = median_time(lambda: build(L, kind, symbolic)[0].expand(
                                tr(p), max_terms=20000).value, 1)
                        except TooLargeError:
                            exp = ">2e4 terms"
                        else:
                            assert sympy.expand(sympy.sympify(ev) - sympy.sympify(value)) == 0
                            exp, ratio_e = f"{es:.3f}", f"{es / sec:.0f}x"
                    label = f"{kind} {'sym' if symbolic else 'exact'} L={L} k={k}"
                    print(f"{label:<28}{n:>8}{sec:>10.3f}{stats['partitions']:>9}"
                          f"{stats['catalan']:>9}{catalan(n):>12.3g}{flat:>9}{ratio_f:>8}"
                          f"{exp:>10}{ratio_e:>8}", flush=True)
    print(f"\nslowest case: {worst:.3f} s (requirement: largest case < 60 s)")

    # many runs of one family: tr((ab)^n), a free Poisson, b Bernoulli(1/2),
    # checked against the S-transform route; Kreweras sum vs first-block
    print("\ntr((ab)^n), a ~ MP(1), b ~ Bernoulli(1/2) (exact), both strategies")
    print(f"{'n':>4}{'kreweras s':>12}{'visited':>10}{'first_block s':>15}{'visited':>10}{'ratio':>8}")
    a, b = nc_symbols("a b", selfadjoint=True)
    nmax = 10 if args.quick else 12
    ref = free_mul_moments([catalan(j) for j in range(1, nmax + 1)], [Fraction(1, 2)] * nmax)
    for n in range(4, nmax + 1, 2):
        row = {}
        for strategy in ("kreweras", "first_block"):
            if strategy == "kreweras" and n > 10:
                row[strategy] = None
                continue

            def run():
                m = (FreeModel(strategy=strategy)
                     .selfadjoint(a, moments=[catalan(j) for j in range(1, n + 1)])
                     .selfadjoint(b, moments=[Fraction(1, 2)] * n))
                return m.moment(tr((a * b) ** n)), m.last_stats["partitions"]

            sec, (val, visited) = median_time(run, args.repeat)
            assert val == ref[n - 1]
            row[strategy] = (sec, visited)
        kr, fb = row["kreweras"], row["first_block"]
        kr_s = f"{kr[0]:>12.3f}{kr[1]:>10}" if kr else f"{'(skipped)':>12}{'':>10}"
        ratio = f"{kr[0] / fb[0]:.1f}x" if kr else ""
        print(f"{n:>4}{kr_s}{fb[0]:>15.3f}{fb[1]:>10}{ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
