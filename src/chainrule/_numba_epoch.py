"""The compiled epoch: numba kernels for ``chainrule.compiled`` (imported only by it, only when used).

One generic kernel runs a run of mini-batches of a stack of ``Dense`` layers, each followed by one
elementwise activation, with one of three losses and one of four update rules, chosen by integer
codes, so numba compiles it once per dtype (and caches it on disk). Every operation is the NumPy
plan's, in its order, with its scalars cast to the model dtype where NumPy casts them:

    forward     Z = A_prev @ W + b;  A = g(Z)                      (np.dot: the same BLAS call)
    loss        L = loss(Ŷ, Y) + Σ ½·l2·ΣW²;  dŶ = ∂L/∂Ŷ (with the 1/m)
    backward    dZ = dA * g'(A);  dW = A_prevᵀ @ dZ + l2·W;  db = 1ᵀ @ dZ;  dA_prev = dZ @ Wᵀ
    update      SGD (lr folded into dŶ, as the plan folds it), momentum, Nesterov, or Adam

NOTE: numba's exp, log1p and tanh are the C library's, NumPy's are its own SIMD versions; they
differ in the last bit for some inputs, so the paths agree to rounding, not bit for bit.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# activation codes (the layer after each Dense)
IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU = 0, 1, 2, 3, 4
# loss codes
MSE, BCE_LOGITS, SOFTMAX_CE = 0, 1, 2
# update codes: plain SGD runs with the lr folded into the output gradient (chainrule.plan's fold)
SGD_FOLDED, SGD_MOMENTUM, SGD_NESTEROV, ADAM = 0, 1, 2, 3


@numba.njit(cache=True)
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


@numba.njit(cache=True)
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


@numba.njit(cache=True)
def activate(A, code, alpha, one, zero):
    """A = g(Z) in place, for the codes above (Z arrives in A)."""
    a = A.reshape(A.size)
    if code == SIGMOID:
        for i in range(a.size):
            a[i] = one / (np.exp(-a[i]) + one)
    elif code == TANH:
        for i in range(a.size):
            a[i] = np.tanh(a[i])
    elif code == RELU:
        for i in range(a.size):
            z = a[i]
            a[i] = z if (z >= zero or z != z) else zero      # np.maximum(Z, 0): NaN passes
    elif code == LEAKY_RELU:
        for i in range(a.size):
            z = a[i]
            if not z > zero:
                a[i] = alpha * z


@numba.njit(cache=True)
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


@numba.njit(cache=True)
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


@numba.njit(cache=True)
def update(code, p, g, s1, s2, lr, momentum, beta1, beta2, eps, t, cast):
    """One parameter array's step, in place: p, g and the state s1, s2 are flat views."""
    if code == SGD_FOLDED:                            # g already carries lr: W ← W - g
        for i in range(p.size):
            p[i] = p[i] - g[i]
        return
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


@numba.njit(cache=True)
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
    m = 0
    Xb = np.empty((0, n_features), dtype)
    Yb = np.empty((0, k), dtype)
    work = np.empty((0, k), dtype)
    ones = np.empty(0, dtype)
    As = [np.empty((0, W.shape[1]), dtype) for W in Ws]
    dAs = [np.empty((0, W.shape[1]), dtype) for W in Ws]
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
        for i in range(m):
            row = order[start + i]
            Xb[i, :] = X[row, :]
            Yb[i, :] = Y[row, :]
        for layer in range(n_layers):                  # Z = A_prev @ W + b;  A = g(Z)
            A = As[layer]
            np.dot(Xb if layer == 0 else As[layer - 1], Ws[layer], A)
            b = bs[layer]
            for i in range(m):
                for j in range(A.shape[1]):
                    A[i, j] = A[i, j] + b[j]
            activate(A, acts[layer], alpha_c[layer], one, zero)
        Y_hat = As[n_layers - 1]
        dY = dAs[n_layers - 1]
        value = loss_and_gradient(loss_code, Y_hat, Yb, dY, work, loss_scale, count_examples, cast)
        penalty = 0.0
        for layer in range(n_layers):                  # Σ ½·l2·ΣW², on the weights before the step
            if l2s[layer] != 0.0:
                W = Ws[layer]
                penalty += 0.5 * l2s[layer] * float(np.vdot(W.reshape(W.size), W.reshape(W.size)))
        value += penalty
        if not math.isfinite(value):                   # no step on a NaN or inf loss, as in the NumPy plan
            out[start:start + m, :] = Y_hat
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
            np.dot(A_prev.T, dZ, dW)
            if l2s[layer] != 0.0:
                c = penalty_c[layer]
                for i in range(W.shape[0]):
                    for j in range(W.shape[1]):
                        dW[i, j] = dW[i, j] + W[i, j] * c
            np.dot(ones, dZ, dbs[layer])
            if layer > 0:
                np.dot(dZ, W.T, dAs[layer - 1])
        t = t0 + done + 1
        for layer in range(n_layers):
            W, b = Ws[layer], bs[layer]
            update(opt_code, W.reshape(W.size), dWs[layer].reshape(W.size), s1W[layer].reshape(s1W[layer].size),
                   s2W[layer].reshape(s2W[layer].size), lr, momentum, beta1, beta2, eps, t, cast)
            update(opt_code, b, dbs[layer], s1b[layer], s2b[layer], lr, momentum, beta1, beta2, eps, t, cast)
        out[start:start + m, :] = Y_hat
        values[batch - first] = value
        done += 1
    return done
