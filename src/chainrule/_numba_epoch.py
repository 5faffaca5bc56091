"""The compiled epoch: numba kernels for ``chainrule.compiled`` (imported only by it, only when used).

One generic kernel runs a run of mini-batches of a stack of ``Dense`` layers, each followed by one
elementwise activation, with one of three losses and one of four update rules, chosen by integer
codes, so numba compiles it once per dtype (and caches it on disk). Every operation is the NumPy
plan's, in its order, with its scalars cast to the model dtype where NumPy casts them:

    forward     Z = A_prev @ W + b;  A = g(Z)                      (np.dot: the same BLAS call)
    loss        L = loss(Ŷ, Y) + Σ ½·l2·ΣW²;  dŶ = ∂L/∂Ŷ (with the 1/m)
    backward    dZ = dA * g'(A);  dW = A_prevᵀ @ dZ + l2·W;  db = 1ᵀ @ dZ;  dA_prev = dZ @ Wᵀ
    update      SGD (lr folded into dŶ, as the plan folds it), momentum, Nesterov, or Adam

Every function is compiled with ``error_model="numpy"``: a division by zero gives inf or NaN as in
NumPy instead of raising, and without that check LLVM vectorizes the loops that divide (Adam's
update ran 8x slower without it).

NOTE: NumPy's exp and tanh are its own SIMD code; numba's are the C library's, one scalar call per
element (about 5 ns for exp and 14 for tanh: a fifth of a [784,256,128,10] sigmoid batch of 128
went to exp). The activations here use ``exp_inplace`` and ``tanh_inplace``, loops LLVM vectorizes,
3-6x faster than the C library's. They and the C library's exp, log and log1p (in the losses)
differ from NumPy's in the last bit or two for some inputs, so the paths agree to rounding, not
bit for bit.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.extending import overload

# activation codes (the layer after each Dense)
IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU = 0, 1, 2, 3, 4
# loss codes
MSE, BCE_LOGITS, SOFTMAX_CE = 0, 1, 2
# update codes: plain SGD runs with the lr folded into the output gradient (chainrule.plan's fold)
SGD_FOLDED, SGD_MOMENTUM, SGD_NESTEROV, ADAM = 0, 1, 2, 3


@numba.njit(cache=True, error_model="numpy")
def block_sum(a, start, n):
    """Σ a[start:start + n] for n <= 128 as NumPy sums a block: 8 accumulators, then the rest."""
    if n < 8:
        res = a[start]
        for i in range(start + 1, start + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - n % 8:
        j = start + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


@numba.njit(cache=True, error_model="numpy")
def pairwise_sum(a, start, n):
    """Σ a[start:start + n] in NumPy's order: halves (cut at a multiple of 8) down to blocks of 128.

    NOTE: NumPy recurses; numba's on-disk cache crashes on recursive functions (numba 0.68), so
    the tree is walked with an explicit stack: left half, right half, then their sum.
    """
    if n <= 128:
        return block_sum(a, start, n)
    starts = np.empty(192, np.int64)
    sizes = np.empty(192, np.int64)
    combine = np.zeros(192, np.bool_)
    sums = np.empty(64, a.dtype)
    starts[0], sizes[0], top, n_sums = start, n, 1, 0
    while top > 0:
        top -= 1
        if combine[top]:
            n_sums -= 1
            sums[n_sums - 1] = sums[n_sums - 1] + sums[n_sums]
            continue
        s, size = starts[top], sizes[top]
        if size <= 128:
            sums[n_sums] = block_sum(a, s, size)
            n_sums += 1
            continue
        half = size // 2
        half -= half % 8
        combine[top] = True
        starts[top + 1], sizes[top + 1], combine[top + 1] = s + half, size - half, False
        starts[top + 2], sizes[top + 2], combine[top + 2] = s, half, False
        top += 3
    return sums[0]


def exp_inplace(a, s1, s2):
    """a = exp(a) in place for a flat float array; s1, s2 are scratch arrays of its size and dtype.

    exp(x) = 2ⁿ·exp(r) with n = ⌊x·log₂e + ½⌋ and r = x - n·ln2 (ln2 in two parts, so r is exact
    to the last bit), |r| ≤ ½·ln2; exp(r) by a polynomial (float64: Taylor to r¹³, float32:
    Cephes' expf), 2ⁿ = 2ʰ·2ⁿ⁻ʰ with h = ⌊n/2⌋ built from exponent bits in s1 and s2 (so
    subnormal results round once, as the C library's do). x is clamped first: exp(710) = inf,
    exp(-746) = 0 (float32: 89 and -104). NaN passes. Within 1 ulp of NumPy's in float64 (11% of
    inputs differ, by 1 ulp), 3 ulp in float32 (NumPy's own float32 exp is 2 ulp from rounded).
    """


# NOTE: two implementations of the same shape, one per dtype: the polynomial, the constants and the
# exponent's bit layout differ, and the bits need an integer view of the dtype's own width.
@overload(exp_inplace, jit_options={"cache": True, "error_model": "numpy"})
def _exp_inplace(a, s1, s2):
    if a.dtype.bitwidth == 64:
        return _exp64
    return _exp32


def _exp64(a, s1, s2):
    i1 = s1.view(np.int64)
    i2 = s2.view(np.int64)
    for j in range(a.size):
        x = a[j]
        x = 710.0 if x > 710.0 else x
        x = -746.0 if x < -746.0 else x
        n = np.floor(x * 1.4426950408889634 + 0.5)
        r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        k = np.int64(n)
        h = k >> 1
        i1[j] = (h + 1023) << 52
        i2[j] = (k - h + 1023) << 52
        a[j] = p
    for j in range(a.size):
        a[j] = (a[j] * s1[j]) * s2[j]


def _exp32(a, s1, s2):
    i1 = s1.view(np.int32)
    i2 = s2.view(np.int32)
    hi, lo = np.float32(89.0), np.float32(-104.0)
    log2e, half, one = np.float32(1.4426950408889634), np.float32(0.5), np.float32(1.0)
    c1, c2 = np.float32(0.693359375), np.float32(-2.12194440e-4)
    p0, p1, p2 = np.float32(1.9875691500e-4), np.float32(1.3981999507e-3), np.float32(8.3334519073e-3)
    p3, p4, p5 = np.float32(4.1665795894e-2), np.float32(1.6666665459e-1), np.float32(5.0000001201e-1)
    for j in range(a.size):
        x = a[j]
        x = hi if x > hi else x
        x = lo if x < lo else x
        n = np.floor(x * log2e + half)
        r = (x - n * c1) - n * c2
        p = p0 * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        p = (p * (r * r) + r) + one
        k = np.int32(n)
        h = k >> 1
        i1[j] = (h + 127) << 23
        i2[j] = (k - h + 127) << 23
        a[j] = p
    for j in range(a.size):
        a[j] = (a[j] * s1[j]) * s2[j]


def tanh_inplace(a, e, s1, s2):
    """a = tanh(a) in place for a flat float array; e, s1, s2 are scratch arrays of its size and dtype.

    Cephes' tanh, as loops LLVM vectorizes: for |x| < 0.625 an odd rational (float64) or polynomial
    (float32) in x², else 1 - 2/(exp(2|x|) + 1) with ``exp_inplace``, signed as x; tanh(±0) = ±0,
    NaN passes, ±inf gives ±1. Within 2 ulp of NumPy's tanh in both dtypes (a fifth to a third of
    inputs differ).
    """


# NOTE: one implementation per dtype, as for exp: the approximations and their constants differ.
@overload(tanh_inplace, jit_options={"cache": True, "error_model": "numpy"})
def _tanh_inplace(a, e, s1, s2):
    if a.dtype.bitwidth == 64:
        return _tanh64
    return _tanh32


def _tanh64(a, e, s1, s2):
    for j in range(a.size):
        e[j] = 2.0 * abs(a[j])
    exp_inplace(e, s1, s2)
    for j in range(a.size):
        x = a[j]
        z = x * x
        small = x + x * z * (((-9.64399179425052238628e-1 * z - 9.92877231001918586564e1) * z
                              - 1.61468768441708447952e3)
                             / (((z + 1.12811678491632931402e2) * z + 2.23548839060100448583e3) * z
                                + 4.84406305325125486048e3))
        big = 1.0 - 2.0 / (e[j] + 1.0)
        big = big if x >= 0.0 else -big
        small = x if z == 0.0 else small                 # keeps the sign of -0
        a[j] = small if abs(x) < 0.625 else big


def _tanh32(a, e, s1, s2):
    two, one, zero, edge = np.float32(2.0), np.float32(1.0), np.float32(0.0), np.float32(0.625)
    q0, q1, q2 = np.float32(-5.70498872745e-3), np.float32(2.06390887954e-2), np.float32(-5.37397155531e-2)
    q3, q4 = np.float32(1.33314422036e-1), np.float32(-3.33332819422e-1)
    for j in range(a.size):
        e[j] = two * abs(a[j])
    exp_inplace(e, s1, s2)
    for j in range(a.size):
        x = a[j]
        z = x * x
        small = ((((q0 * z + q1) * z + q2) * z + q3) * z + q4) * z * x + x
        big = one - two / (e[j] + one)
        big = big if x >= zero else -big
        small = x if z == zero else small
        a[j] = small if abs(x) < edge else big


@numba.njit(cache=True, error_model="numpy")
def run_exp(a):
    """exp_inplace on any float array, scratch allocated here (for tests and a look from Python)."""
    flat = a.reshape(a.size)
    exp_inplace(flat, np.empty_like(flat), np.empty_like(flat))


@numba.njit(cache=True, error_model="numpy")
def run_tanh(a):
    """tanh_inplace on any float array, scratch allocated here (for tests and a look from Python)."""
    flat = a.reshape(a.size)
    tanh_inplace(flat, np.empty_like(flat), np.empty_like(flat), np.empty_like(flat))


@numba.njit(cache=True, error_model="numpy")
def activate(A, b, code, alpha, one, zero, S1, S2, S3):
    """A = g(A + b) in place (Z = A_prev @ W arrives in A), for the codes above; S1-S3: scratch like A."""
    m, n = A.shape
    if code == TANH:
        for i in range(m):
            for j in range(n):
                A[i, j] = A[i, j] + b[j]
        tanh_inplace(A.reshape(A.size), S3.reshape(S3.size), S1.reshape(S1.size), S2.reshape(S2.size))
        return
    if code == SIGMOID:                                # σ(Z) = 1/(exp(-Z) + 1), as activations.sigmoid
        for i in range(m):
            for j in range(n):
                A[i, j] = -(A[i, j] + b[j])
        a = A.reshape(A.size)
        exp_inplace(a, S1.reshape(S1.size), S2.reshape(S2.size))
        for i in range(a.size):
            a[i] = one / (a[i] + one)
        return
    for i in range(m):
        if code == RELU:
            for j in range(n):
                z = A[i, j] + b[j]
                A[i, j] = z if (z >= zero or z != z) else zero      # np.maximum(Z, 0): NaN passes
        elif code == LEAKY_RELU:
            for j in range(n):
                z = A[i, j] + b[j]
                A[i, j] = z if z > zero else alpha * z
        else:
            for j in range(n):
                A[i, j] = A[i, j] + b[j]


@numba.njit(cache=True, error_model="numpy")
def derive(dA, A, code, alpha, one, zero):
    """dZ = dA * g'(·) in place, from the activation's output A (A > 0 exactly where Z > 0)."""
    d = dA.reshape(dA.size)
    a = A.reshape(A.size)
    if code == SIGMOID:
        for i in range(d.size):
            d[i] = ((one - a[i]) * a[i]) * d[i]
    elif code == TANH:
        for i in range(d.size):
            d[i] = (one - a[i] * a[i]) * d[i]
    elif code == RELU:
        for i in range(d.size):
            d[i] = d[i] * (one if a[i] > zero else zero)
    elif code == LEAKY_RELU:
        for i in range(d.size):
            if not a[i] > zero:
                d[i] = alpha * d[i]


@numba.njit(cache=True, error_model="numpy")
def loss_and_gradient(code, Y_hat, Y, dY, work, scale, count_examples, cast):
    """The loss value (float64, as ``Loss.forward`` returns it) and ∂L/∂Ŷ written into dY."""
    m, k = Y.shape
    one = cast[1]
    if code == MSE:                                   # L = scale/m · Σ(Ŷ - Y)²,  dŶ = (Ŷ - Y)·2scale/m
        for i in range(m):
            for j in range(k):
                dY[i, j] = Y_hat[i, j] - Y[i, j]
        value = scale * float(np.vdot(dY.reshape(dY.size), dY.reshape(dY.size))) / m
        cast[0] = 2.0 * scale / m
        c = cast[0]
        for i in range(m):
            for j in range(k):
                dY[i, j] = dY[i, j] * c
        return value
    if code == BCE_LOGITS:                            # L = Σ[max(z,0) - zy + log1p(e^-|z|)]/count
        count = m if count_examples else m * k
        zero = cast[1] - cast[1]
        t = work.reshape(work.size)
        for i in range(m):
            for j in range(k):
                z = Y_hat[i, j]
                t[i * k + j] = ((z if (z >= zero or z != z) else zero) - z * Y[i, j]) + np.log1p(np.exp(-abs(z)))
        value = float(pairwise_sum(t, 0, m * k)) / count
        cast[0] = 1.0 / count
        c = cast[0]
        for i in range(m):
            for j in range(k):
                dY[i, j] = (one / (np.exp(-Y_hat[i, j]) + one) - Y[i, j]) * c      # (σ(Z) - Y)/count
        return value
    # SOFTMAX_CE: log P = (Z - max Z) - log Σ exp(Z - max Z);  L = -Σ Y·log P / m;  dZ = (P - Y)/m
    e = np.empty(k, Y_hat.dtype)
    for i in range(m):
        top = Y_hat[i, 0]
        for j in range(1, k):
            if Y_hat[i, j] > top or Y_hat[i, j] != Y_hat[i, j]:
                top = Y_hat[i, j]
        for j in range(k):
            work[i, j] = Y_hat[i, j] - top
            e[j] = np.exp(work[i, j])
        log_total = np.log(pairwise_sum(e, 0, k))
        for j in range(k):
            work[i, j] = work[i, j] - log_total
    value = -float(np.vdot(Y.reshape(Y.size), work.reshape(work.size))) / m
    cast[0] = 1.0 / m
    c = cast[0]
    for i in range(m):
        for j in range(k):
            dY[i, j] = (np.exp(work[i, j]) - Y[i, j]) * c
    return value


@numba.njit(cache=True, error_model="numpy")
def update(code, p, g, s1, s2, decay, lr, momentum, beta1, beta2, eps, t, cast):
    """One parameter array's step, in place: p, g and the state s1, s2 are flat views.

    ``decay`` (the model dtype) is the L2 term's factor: g ← g + decay·p first (dW = A_prevᵀ dZ + l2·W),
    fused into the folded SGD step's pass, a pass of its own before the other rules.
    """
    if code == SGD_FOLDED:                            # g already carries lr: W ← W - g
        if decay != 0:
            for i in range(p.size):
                gi = g[i] + p[i] * decay
                g[i] = gi
                p[i] = p[i] - gi
        else:
            for i in range(p.size):
                p[i] = p[i] - g[i]
        return
    if decay != 0:
        for i in range(p.size):
            g[i] = g[i] + p[i] * decay
    cast[0] = lr
    lr_c = cast[0]
    if code == SGD_MOMENTUM or code == SGD_NESTEROV:  # v ← μv + g;  W ← W - lr·v  (Nesterov: lr·(g + μv))
        cast[0] = momentum
        mu = cast[0]
        for i in range(p.size):
            v = s1[i] * mu + g[i]
            s1[i] = v
            if code == SGD_NESTEROV:
                p[i] = p[i] - (g[i] + v * mu) * lr_c
            else:
                p[i] = p[i] - v * lr_c
        return
    # ADAM, Algorithm 1: m̂ = m/(1 - β1ᵗ), v̂ = v/(1 - β2ᵗ), W ← W - lr·m̂/(√v̂ + eps)
    cast[0] = beta1
    b1 = cast[0]
    cast[0] = 1.0 - beta1
    c1 = cast[0]
    cast[0] = beta2
    b2 = cast[0]
    cast[0] = 1.0 - beta2
    c2 = cast[0]
    cast[0] = 1.0 - math.pow(beta1, float(t))        # Python's float ** int is the C library's pow
    d1 = cast[0]
    cast[0] = 1.0 - math.pow(beta2, float(t))
    d2 = cast[0]
    cast[0] = eps
    eps_c = cast[0]
    for i in range(p.size):
        gi = g[i]
        m = s1[i] * b1 + gi * c1
        v = s2[i] * b2 + (gi * gi) * c2
        s1[i] = m
        s2[i] = v
        p[i] = p[i] - ((m / d1) * lr_c) / (np.sqrt(v / d2) + eps_c)


@numba.njit(cache=True, error_model="numpy")
def keep(out, start, Y_hat):
    """out[start:start + m] = Ŷ."""
    for i in range(Y_hat.shape[0]):
        for j in range(Y_hat.shape[1]):
            out[start + i, j] = Y_hat[i, j]


@numba.njit(cache=True, error_model="numpy")
def run_batches(X, Y, order, batch_size, first, last, Ws, bs, dWs, dbs, s1W, s1b, s2W, s2b,
                acts, alphas, l2s, loss_code, loss_scale, count_examples, opt_code, hyper, t0, out, values):
    """Run batches first..last-1 of the epoch whose row order is ``order``; return how many ran.

    Stops at the first batch whose loss is not finite, without its update (as the NumPy plan).
    Each batch's outputs go to ``out`` (rows in ``order``), its loss value to ``values[batch - first]``.
    ``hyper`` = (lr, momentum, beta1, beta2, eps) as Python floats; ``t0`` the optimizer's t before.
    """
    n_rows = order.shape[0]
    n_layers = len(Ws)
    n_features = X.shape[1]
    k = Y.shape[1]
    dtype = X.dtype
    cast = np.zeros(2, dtype)             # cast[0] = x rounds a Python float to the dtype, as NumPy does
    cast[1] = 1.0
    one, zero = cast[1], cast[0]
    lr, momentum, beta1, beta2, eps = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    cast[0] = lr
    lr_c = cast[0]
    alpha_c = np.empty(n_layers, dtype)
    penalty_c = np.empty(n_layers, dtype)
    for layer in range(n_layers):
        alpha_c[layer] = alphas[layer]
        penalty_c[layer] = (lr if opt_code == SGD_FOLDED else 1.0) * l2s[layer]     # the plan's scale·l2
    W_flat = [W.reshape(W.size) for W in Ws]           # flat views, made once
    dW_flat = [dW.reshape(dW.size) for dW in dWs]
    s1W_flat = [s.reshape(s.size) for s in s1W]
    s2W_flat = [s.reshape(s.size) for s in s2W]
    m = 0
    Xb = np.empty((0, n_features), dtype)
    Yb = np.empty((0, k), dtype)
    work = np.empty((0, k), dtype)
    ones = np.empty(0, dtype)
    As = [np.empty((0, W.shape[1]), dtype) for W in Ws]
    dAs = [np.empty((0, W.shape[1]), dtype) for W in Ws]
    S1s = [np.empty((0, W.shape[1]), dtype) for W in Ws]        # exp_inplace's scratch
    S2s = [np.empty((0, W.shape[1]), dtype) for W in Ws]
    S3s = [np.empty((0, W.shape[1]), dtype) for W in Ws]
    done = 0
    for batch in range(first, last):
        start = batch * batch_size
        if min(batch_size, n_rows - start) != m:       # the last, shorter batch allocates once
            m = min(batch_size, n_rows - start)
            Xb = np.empty((m, n_features), dtype)
            Yb = np.empty((m, k), dtype)
            work = np.empty((m, k), dtype)
            ones = np.ones(m, dtype)
            for layer in range(n_layers):
                As[layer] = np.empty((m, Ws[layer].shape[1]), dtype)
                dAs[layer] = np.empty((m, Ws[layer].shape[1]), dtype)
                S1s[layer] = np.empty((m, Ws[layer].shape[1]), dtype)
                S2s[layer] = np.empty((m, Ws[layer].shape[1]), dtype)
                S3s[layer] = np.empty((m, Ws[layer].shape[1]), dtype)
        for i in range(m):                             # element loops: about 2x faster than row slices here
            row = order[start + i]
            for j in range(n_features):
                Xb[i, j] = X[row, j]
            for j in range(k):
                Yb[i, j] = Y[row, j]
        for layer in range(n_layers):                  # Z = A_prev @ W + b;  A = g(Z)
            A = As[layer]
            np.dot(Xb if layer == 0 else As[layer - 1], Ws[layer], A)
            activate(A, bs[layer], acts[layer], alpha_c[layer], one, zero, S1s[layer], S2s[layer], S3s[layer])
        Y_hat = As[n_layers - 1]
        dY = dAs[n_layers - 1]
        value = loss_and_gradient(loss_code, Y_hat, Yb, dY, work, loss_scale, count_examples, cast)
        penalty = 0.0
        for layer in range(n_layers):                  # Σ ½·l2·ΣW², on the weights before the step
            if l2s[layer] != 0.0:
                penalty += 0.5 * l2s[layer] * float(np.vdot(W_flat[layer], W_flat[layer]))
        value += penalty
        if not math.isfinite(value):                   # no step on a NaN or inf loss, as in the NumPy plan
            keep(out, start, Y_hat)
            values[batch - first] = value
            done += 1
            break
        if opt_code == SGD_FOLDED:
            for i in range(m):
                for j in range(k):
                    dY[i, j] = dY[i, j] * lr_c
        for layer in range(n_layers - 1, -1, -1):      # dZ, then dW, db and dA_prev
            dZ = dAs[layer]
            derive(dZ, As[layer], acts[layer], alpha_c[layer], one, zero)
            A_prev = Xb if layer == 0 else As[layer - 1]
            W, dW = Ws[layer], dWs[layer]
            np.dot(A_prev.T, dZ, dW)              # + l2·W: in the update's pass below
            np.dot(ones, dZ, dbs[layer])
            if layer > 0:
                np.dot(dZ, W.T, dAs[layer - 1])
        t = t0 + done + 1
        for layer in range(n_layers):
            update(opt_code, W_flat[layer], dW_flat[layer], s1W_flat[layer], s2W_flat[layer], penalty_c[layer],
                   lr, momentum, beta1, beta2, eps, t, cast)
            update(opt_code, bs[layer], dbs[layer], s1b[layer], s2b[layer], zero,
                   lr, momentum, beta1, beta2, eps, t, cast)
        keep(out, start, Y_hat)
        values[batch - first] = value
        done += 1
    return done
