"""The memoised free-product recursion of :class:`freealg.FreeModel` (private).

Words are tuples of integer codes (see ``_families``).  ``phi(word)`` is the
limit trace; it normalises the word with each family's relations, takes the
cyclic canonical form (least rotation of the word or its transpose) as memo
key and, when several families occur, picks the family ``F`` with the fewest
runs and reads the word cyclically as ``a_1 b_1 ... a_n b_n`` (``a_i`` maximal
runs of ``F``).  Two evaluations of

    phi(a_1 b_1 ... a_n b_n) = sum_{pi in NC(n)} kappa_pi[a] phi_{K(pi)}[b]

are available (docs/theory.md §2, Nica-Speicher):

* ``"kreweras"``: the sum as written, over the partitions ``pi`` of NC(n)
  with non-zero ``kappa_pi[a]`` (generated block by block with pruning), with
  ``K(pi) = P_pi^{-1} o gamma``; each Kreweras block is a word in the other
  families only.
* ``"first_block"``: the same sum grouped by the block ``V`` of ``pi``
  containing 1: the rest of ``pi`` and of ``K(pi)`` split over the gaps of
  ``V``, so ``phi = sum_{V} kappa(a_V) prod_j phi(b_{v_j} a_{v_j+1} ... b_{v_{j+1}-1})``,
  with the gap words memoised too.  It visits ``2^(n-1)`` blocks instead of
  ``Cat(n)`` partitions per reduction and wins when ``n`` is large.

``"auto"`` (the default) uses Kreweras for ``n <= 4`` runs and first-block
above (for ``tr((ab)^n)`` with generic laws first-block is 3x faster at
``n = 6`` and 18x at ``n = 10``; for Jacobian words the two are on par).
"""

from __future__ import annotations

from itertools import product

from . import families as fam
from ..errors import InvalidArgumentError, TooLargeError

__all__ = ["Engine", "kreweras_blocks", "STRATEGIES"]

STRATEGIES = ("auto", "kreweras", "first_block")
#: "auto" uses the Kreweras sum up to this many runs, first-block above
AUTO_KREWERAS_MAX_RUNS = 4

def kreweras_blocks(blocks, n):
    """Blocks of ``K(π) = P_π^{-1} ∘ γ`` (0-based, each sorted)."""
    pinv = [0] * n
    for B in blocks:
        for i in range(len(B)):
            pinv[B[i]] = B[i - 1]
    seen = [False] * n
    out = []
    for i in range(n):
        if seen[i]:
            continue
        cyc = []
        j = i
        while not seen[j]:
            seen[j] = True
            cyc.append(j)
            j = pinv[(j + 1) % n]
        out.append(tuple(sorted(cyc)))
    return out


def _family_runs(word, fam_of):
    """The cyclic word rotated to start at a change of family and cut into
    maximal runs of one family, ``[(family, run), ...]``; None when the whole
    word lies in one family (``fam_of`` maps a letter code to its family)."""
    n = len(word)
    start = next((i for i in range(n) if fam_of[word[i]] != fam_of[word[i - 1]]), None)
    if start is None:
        return None
    w = word[start:] + word[:start]
    runs = []
    i = 0
    while i < n:
        f = fam_of[w[i]]
        j = i
        while j < n and fam_of[w[j]] == f:
            j += 1
        runs.append((f, w[i:j]))
        i = j
    return runs


class Engine:
    """Memoised free-product recursion over words of integer codes."""

    def __init__(self, families, fam_of, tcode, dom, orders, strategy="auto"):
        if strategy not in STRATEGIES:
            raise InvalidArgumentError(
                f"strategy must be one of {STRATEGIES}; got {strategy!r}"
            )
        self.strategy = strategy
        self.fams = families
        self.fam_of = fam_of
        self.t = tcode
        self.dom = dom
        self.orders = orders
        self._memo = {}
        self._raw = {}
        self._ncmemo = {}
        # reductions: multi-family words reduced; partitions: NC partitions
        # (Kreweras) or first blocks (first-block) with non-zero cumulant
        # visited; catalan: sum of Cat(n) over the reductions (what an
        # unpruned level-wise sum would visit); family_moments: words of one
        # family evaluated by the family itself.
        self.stats = {"reductions": 0, "partitions": 0, "catalan": 0, "family_moments": 0}

    # -- normalisation ----------------------------------------------------------

    def _reduce(self, word):
        fo, fams, dom = self.fam_of, self.fams, self.dom
        split = _family_runs(word, fo)
        if split is None:
            return fams[fo[word[0]]].normalise_cyclic(word)
        runs = []
        coeff = dom.one
        for f, run in split:
            c, r = fams[f].normalise(run)
            if c != 1:
                coeff = coeff * c
            runs.append([f, r])
        if coeff == 0:
            return dom.zero, ()
        changed = True
        while changed:
            changed = False
            merged = []
            for r in runs:
                if not r[1]:
                    changed = True
                    continue
                if merged and merged[-1][0] == r[0]:
                    c, nr = fams[r[0]].normalise(merged[-1][1] + r[1])
                    coeff = coeff * c
                    merged[-1][1] = nr
                    changed = True
                else:
                    merged.append(r)
            runs = merged
            if len(runs) > 1 and runs[0][0] == runs[-1][0]:
                last = runs.pop()
                c, nr = fams[last[0]].normalise(last[1] + runs[0][1])
                coeff = coeff * c
                runs[0][1] = nr
                changed = True
        if coeff == 0:
            return dom.zero, ()
        if not runs:
            return coeff, ()
        if len(runs) == 1:
            c, r = fams[runs[0][0]].normalise_cyclic(runs[0][1])
            return coeff * c, r
        return coeff, sum((r[1] for r in runs), ())

    def _canon(self, w):
        n = len(w)
        t = self.t
        tw = tuple(t[c] for c in reversed(w))
        return min(min(w[i:] + w[:i] for i in range(n)), min(tw[i:] + tw[:i] for i in range(n)))

    # -- recursion --------------------------------------------------------------

    def phi(self, word):
        """Limit trace of a word (tuple of codes), in the engine's domain."""
        v = self._raw.get(word)
        if v is not None:
            return v
        if not word:
            return self.dom.one
        c, w = self._reduce(word)
        if c == 0:
            v = self.dom.zero
        elif not w:
            v = c
        else:
            key = self._canon(w)
            m = self._memo.get(key)
            if m is None:
                m = self._phi_reduced(key)
                self._memo[key] = m
            v = c * m if c != 1 else m
        self._raw[word] = v
        return v

    def _phi_reduced(self, w):
        fo = self.fam_of
        runs = _family_runs(w, fo)
        if runs is None:
            self.stats["family_moments"] += 1
            return self.fams[fo[w[0]]].moment(w)
        counts = {}
        for f, _ in runs:
            counts[f] = counts.get(f, 0) + 1
        F = min(counts, key=lambda f: (counts[f], f))
        k0 = next(i for i, r in enumerate(runs) if r[0] == F)
        runs = runs[k0:] + runs[:k0]
        a, b = [], []
        for f, r in runs:
            if f == F:
                a.append(r)
                b.append(())
            else:
                b[-1] = b[-1] + r
        na = len(a)
        fam_F = self.fams[F]
        self.stats["reductions"] += 1
        self.stats["catalan"] += fam.catalan(na)
        use_kreweras = self.strategy == "kreweras" or (
            self.strategy == "auto" and na <= AUTO_KREWERAS_MAX_RUNS)
        if use_kreweras:
            return self._kreweras_sum(fam_F, a, b)
        return self._first_block_sum(fam_F, a, b)

    def _kreweras_sum(self, fam_F, a, b):
        na = len(a)
        parts = self._nc(fam_F, tuple(a))
        self.stats["partitions"] += len(parts)
        zero = self.dom.zero
        total = zero
        for blocks, kval in parts:
            prod = fam.short_product(
                kval, (self.phi(sum((b[j] for j in C), ())) for C in kreweras_blocks(blocks, na)), zero)
            if prod != 0:
                total = total + prod
        return total

    def _first_block_sum(self, fam_F, a, b):
        n = len(a)
        a = tuple(a)

        def gap_values(V):
            ends = V + (n,)
            # gap words b_lo a_{lo+1} b_{lo+1} ... a_{hi-1} b_{hi-1} between the points of V
            return (self.phi(b[lo] + sum((a[i] + b[i] for i in range(lo + 1, hi)), ()))
                    for lo, hi in zip(ends[:-1], ends[1:]))

        def visit():
            self.stats["partitions"] += 1

        return fam.first_block_sum(fam.subsets_with_first(n),
                                   lambda V: fam_F.element_cumulant(tuple(a[i] for i in V)),
                                   gap_values, self.dom.zero, visit)

    def _nc(self, F, elems):
        """Non-crossing partitions of ``range(len(elems))`` with non-zero
        ``κ_π[elems]`` (joint cumulants of F-elements), as (blocks, κ_π)."""
        key = (F.index, elems)
        res = self._ncmemo.get(key)
        if res is not None:
            return res
        m = len(elems)
        if m == 0:
            return [((), self.dom.one)]
        res = []
        for V in fam.subsets_with_first(m):
            k = F.element_cumulant(tuple(elems[i] for i in V))
            if k == 0:
                continue
            subs = []
            for lo, hi in fam.gaps(V, m):
                sub = self._nc(F, elems[lo:hi])
                if not sub:
                    break
                subs.append((lo, sub))
            else:
                for combo in product(*[s for _, s in subs]):
                    blocks = [V]
                    val = k
                    for (lo, _), (bl, v) in zip(subs, combo):
                        blocks.extend(tuple(lo + i for i in B) for B in bl)
                        val = val * v
                    res.append((tuple(blocks), val))
        self._ncmemo[key] = res
        return res

    # -- letter-level expansion ------------------------------------------------------

    def letter_partitions(self, codes, max_terms):
        """All NC partitions of ``range(len(codes))`` whose blocks lie in one
        family with non-zero letter cumulant: [(blocks, [κ per block])]."""
        memo = {}
        fo = self.fam_of
        work = [0]
        max_work = 100 * max_terms

        def rec(sub):
            # sub: tuple of codes; returns list of (blocks (relative), [k...])
            if not sub:
                return [((), [])]
            got = memo.get(sub)
            if got is not None:
                return got
            F = self.fams[fo[sub[0]]]
            same = [j for j, c in enumerate(sub) if fo[c] == fo[sub[0]]]
            atoms = tuple(sub[j] for j in same)
            out = []
            for Vrel in F.candidate_blocks(atoms):
                work[0] += 1
                if work[0] > max_work:
                    raise TooLargeError(
                        f"expanding a word of {len(codes)} letters examines more than "
                        f"{max_work} candidate blocks (100 * max_terms); raise max_terms, "
                        "or use FreeModel.moment for the value alone"
                    )
                k = F.letter_cumulant(tuple(atoms[i] for i in Vrel))
                if k == 0:
                    continue
                V = tuple(same[i] for i in Vrel)
                subs = []
                for lo, hi in fam.gaps(V, len(sub)):
                    s = rec(sub[lo:hi])
                    if not s:
                        break
                    subs.append((lo, s))
                else:
                    for combo in product(*[s for _, s in subs]):
                        blocks = [V]
                        ks = [k]
                        for (lo, _), (bl, kk) in zip(subs, combo):
                            blocks.extend(tuple(lo + i for i in B) for B in bl)
                            ks.extend(kk)
                        out.append((tuple(blocks), ks))
                        if len(out) > max_terms:
                            raise TooLargeError(
                                f"the expansion has more than max_terms={max_terms} "
                                "non-crossing partitions; raise max_terms, or use "
                                "FreeModel.moment for the value alone"
                            )
            memo[sub] = out
            return out

        return rec(tuple(codes))


