"""Eight-lane float64 vector arithmetic with a fixed lane structure (numba intrinsics).

A sum written as one loop (``acc += a[m] * b[m]``) is a chain LLVM may only
vectorise by reassociating it (fastmath ``reassoc``), and then the vector width it
picks for the CPU (2, 4 or 8 lanes) decides the order of the additions, so the bits.
Without it the chain stays scalar, about four times slower on contiguous rows.

Here the order is fixed in the source instead: a :data:`vec8` holds eight partial
sums, lane ``l`` accumulating the terms ``m = l (mod 8)``, and each step is one LLVM
operation on ``<8 x double>`` (exact IEEE multiply and add in every lane, never
fused: no fast-math flags). LLVM lowers that to one AVX-512 instruction, two AVX or
four SSE2 ones: the same bits everywhere. :func:`hsum8` adds the lanes in one fixed
tree. Used by Algorithm 1 on rows whose presynaptic neurons are one ascending run
(all-to-all graphs), where the update and the dot product are one pass.
"""

from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

__all__ = ["vec8", "zeros8", "dot8", "upd_dot8", "hsum8", "dot_lanes"]

_ir = cgutils.ir  # llvmlite's IR module, as numba's code generation utilities use it
_V8 = _ir.VectorType(_ir.DoubleType(), 8)
_I32 = _ir.IntType(32)


class Vec8Type(types.Type):
    """Eight float64 lanes (an LLVM ``<8 x double>``), a value type of the kernels."""

    def __init__(self):
        super().__init__(name="vec8_float64")


vec8 = Vec8Type()


@register_model(Vec8Type)
class _Vec8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _V8)


def _lanes_at(context, builder, aryty, ary, m):
    """Pointer to elements ``m .. m + 7`` of a contiguous float64 array, as a vector."""
    data = context.make_array(aryty)(context, builder, ary).data
    return builder.bitcast(builder.gep(data, [m]), _V8.as_pointer())


def _contiguous_float64(*arrays):
    return all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C"
               and a.dtype == types.float64 for a in arrays)


@intrinsic
def zeros8(typingctx):
    """A :data:`vec8` of zeros."""

    def codegen(context, builder, signature, args):
        return _ir.Constant(_V8, [0.0] * 8)

    return vec8(), codegen


@intrinsic
def dot8(typingctx, acc, a, b, m):
    """``acc + a[m:m + 8] * b[m:m + 8]``, lane by lane (the caller keeps m + 8 <= size)."""
    if acc != vec8 or not _contiguous_float64(a, b) or not isinstance(m, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        vacc, va, vb, vm = args
        vm = context.cast(builder, vm, signature.args[3], types.intp)
        la = builder.load(_lanes_at(context, builder, signature.args[1], va, vm), align=8)
        lb = builder.load(_lanes_at(context, builder, signature.args[2], vb, vm), align=8)
        return builder.fadd(vacc, builder.fmul(la, lb))

    return vec8(acc, a, b, m), codegen


@intrinsic
def upd_dot8(typingctx, acc, w, x, mask, g, m):
    """For the eight lanes at ``m``: ``w <- w + g * x * mask`` (stored back; the products
    in that order), then ``acc + w * x``."""
    if (acc != vec8 or not _contiguous_float64(w, x, mask) or g != types.float64
            or not isinstance(m, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        vacc, vw, vx, vmask, vg, vm = args
        vm = context.cast(builder, vm, signature.args[5], types.intp)
        pw = _lanes_at(context, builder, signature.args[1], vw, vm)
        lw = builder.load(pw, align=8)
        lx = builder.load(_lanes_at(context, builder, signature.args[2], vx, vm), align=8)
        lmask = builder.load(_lanes_at(context, builder, signature.args[3], vmask, vm),
                             align=8)
        gv = builder.insert_element(_ir.Constant(_V8, _ir.Undefined), vg,
                                    _ir.Constant(_I32, 0))
        gv = builder.shuffle_vector(gv, _ir.Constant(_V8, _ir.Undefined),
                                    _ir.Constant(_ir.VectorType(_I32, 8), [0] * 8))
        new = builder.fadd(lw, builder.fmul(builder.fmul(gv, lx), lmask))
        builder.store(new, pw, align=8)
        return builder.fadd(vacc, builder.fmul(new, lx))

    return vec8(acc, w, x, mask, g, m), codegen


@intrinsic
def hsum8(typingctx, acc):
    """The sum of the eight lanes, ``((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))``."""
    if acc != vec8:
        return None

    def codegen(context, builder, signature, args):
        e = [builder.extract_element(args[0], _ir.Constant(_I32, i)) for i in range(8)]
        return builder.fadd(builder.fadd(builder.fadd(e[0], e[1]), builder.fadd(e[2], e[3])),
                            builder.fadd(builder.fadd(e[4], e[5]), builder.fadd(e[6], e[7])))

    return types.float64(acc), codegen


@njit(cache=True, error_model="numpy")
def dot_lanes(a, b):
    """sum_m a[m] b[m] for two contiguous float64 arrays of one length: eight lane sums
    (:func:`dot8`), :func:`hsum8`, then the ``size % 8`` remaining terms in order."""
    acc = zeros8()
    size = a.size
    blocks = size // 8
    for q in range(blocks):
        acc = dot8(acc, a, b, 8 * q)
    s = hsum8(acc)
    for m in range(8 * blocks, size):
        s += a[m] * b[m]
    return s
