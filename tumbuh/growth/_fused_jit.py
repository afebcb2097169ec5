"""The fused single-pass z-score kernel's compiled code (numba), bit-identical to the numpy
kernel in ``zscores``.

The numpy kernel in :mod:`tumbuh.growth.zscores` is the reference implementation. The
functions here compute the same ``anthro_zscores`` outputs in one compiled pass over blocks
of rows: every value goes through the same IEEE operations in the same order (no fastmath,
so no reassociation and no FMA contraction), and ``(y/M)^L`` is C's ``pow``, the function
R and numpy's ``power`` call: either an inlined, vectorisable copy of glibc's ``pow``
(``_pow_fast``, checked against C's at first use: ``_fused.fast_pow_ok``) or C's ``pow``
itself (``math.pow`` in numba lowers to it). The test ``tests/test_fused.py`` checks
bit-identity of every output column against the numpy kernel on WHO's reference rows and on
random (hypothesis) inputs, and the ``pow`` copy against C's ``pow``.

Called only through :mod:`tumbuh.growth._fused` (the Python side: inputs, tables, the
layout of the outputs), which uses either these functions, compiled just in time, or the
same source compiled ahead of time into an extension module (:mod:`tumbuh.growth._aot`),
which loads without numba.

JIT-compiled code is cached (``cache=True``: next to this file in ``__pycache__``, or, when
the package is installed read-only, in numba's user-wide cache directory,
``NUMBA_CACHE_DIR`` or ``~/.cache/numba``); when no cache location is writable it compiles
without a cache (a few seconds at the first call of each process).

Constants (reason bit positions, table limits, the ``pow`` tables) are literals in this
file or arguments, never globals from another module: numba's cache is invalidated only
when *this* file changes. The slots and reason positions below follow
``_fused.INDICATORS`` and ``_fused.REASON_ORDER``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Indicator slots, in WHO's column order.
LEN, WEI, WFL, BMI, HC, AC, TS, SS = range(8)

# Reason codes the kernel sets, by position in ``bits`` (the uint32 bit of each is passed
# in), in the order of ``_fused.REASON_ORDER``.
(R_SEX_MISSING, R_SEX_UNKNOWN, R_AGE_MISSING, R_AGE_INVALID, R_AGE_NEGATIVE, R_AGE_OOR,
 R_W_MISSING, R_W_INVALID, R_W_NONPOS, R_L_MISSING, R_L_INVALID, R_L_NONPOS,
 R_MEASURE_INVALID, R_STANDING_9MO, R_OEDEMA_INVALID, R_OEDEMA, R_WFL_OOR,
 R_HC_INVALID, R_HC_NONPOS, R_AC_INVALID, R_AC_NONPOS, R_TS_INVALID, R_TS_NONPOS,
 R_SS_INVALID, R_SS_NONPOS, R_UNDER_91) = range(26)  # fmt: skip


def _jit(fn=None, *, inline=False):
    """njit with a disk cache when some cache location is writable, without one otherwise.

    ``error_model="numpy"``: x/0 gives ±inf/NaN as in numpy instead of raising.
    ``inline``: inline at numba IR level (helpers called once per row: no call, and no
    reference counting of the arrays they are given).
    """
    if fn is None:
        return lambda f: _jit(f, inline=inline)
    opts: dict[str, Any] = dict(fastmath=False, nogil=True, error_model="numpy")
    if inline:
        return njit(inline="always", **opts)(fn)  # compiled into (and cached with) the caller
    try:
        return njit(cache=True, **opts)(fn)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        warnings.warn("numba cache not writable: the fused z-score kernel compiles in each process", stacklevel=2)
        return njit(cache=False, **opts)(fn)


# ---------------------------------------------------------------------------------------
# C's pow, inlined: glibc's pow (2.28+, from ARM's optimized-routines), FMA variant


@intrinsic
def _fma(typingctx, a, b, c):
    """a·b + c with one rounding (llvm.fma: one vfmadd instruction on this CPU)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]), "llvm.fma.f64")
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _bits(typingctx, x):
    """The IEEE bits of a float64, as uint64."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.uint64(types.float64), codegen


@intrinsic
def _float(typingctx, x):
    """The float64 with these IEEE bits."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.uint64), codegen


# glibc's tables (sysdeps/ieee754/dbl-64/e_pow_log_data.c: invc, logc, logctail per entry;
# e_exp_data.c: 2^(k/128) as (tail, bits) pairs). The same numbers are in ARM's
# optimized-routines (math/pow_log_data.c, math/exp_data.c; MIT OR Apache-2.0 WITH
# LLVM-exception), where glibc's pow comes from. Copied from libm.so.6 of glibc 2.36 and
# checked bit for bit against the C library's pow (``fast_pow_ok``, tests/test_fused.py).
_POW_LOG_HEX = (
    "0000000000a0f63f00c8b9f2822cd6bf8056372824b4fa3c000000000080f63f000858bfbdd1d5bf20f7e0d808a51cbd"
    "000000000060f63f005845177776d5bf6d50b6d5a46223bd000000000040f63f00f82d87ad1ad5bfd567b09ee484e6bc"
    "000000000020f63f007877955fbed4bfe03e2993691b04bd000000000000f63f00601cc28b61d4bfcc844c482fd8133d"
    "0000000000e0f53f00a886863004d4bf3a0b82edf342dc3c0000000000c0f53f004869554ca6d3bf60945186c6b1203d"
    "0000000000a0f53f0080989add47d3bf9280c5d44d59253d000000000080f53f0020e1bae2e8d2bfd82bb7991e7b263d"
    "000000000060f53f0088de135a89d2bf3fb0cfb614ca153d000000000060f53f0088de135a89d2bf3fb0cfb614ca153d"
    "000000000040f53f0078cffb4129d2bf76da5328245a16bd000000000020f53f009869c198c8d1bf0454e768bcaf1fbd"
    "000000000000f53f00a8abab5c67d1bff0a88233c61f1f3d0000000000e0f43f0048aef98b05d1bf665a05fdc4a826bd"
    "0000000000c0f43f009073e224a3d0bf0e03f47eee6b0cbd0000000000a0f43f00d0b4942540d0bf7f2df49eb836f0bc"
    "0000000000a0f43f00d0b4942540d0bf7f2df49eb836f0bc000000000080f43f00405e6d18b9cfbf873c99ab2a570d3d"
    "000000000060f43f0060dccbadf0cebf24af869cb7262b3d000000000040f43f00f02a6e0727cebf10ff3f544f2f17bd"
    "000000000020f43f00c04f6b215ccdbf1b68cabb91ba213d000000000000f43f00a09ac7f78fccbf34849f684f79273d"
    "000000000000f43f00a09ac7f78fccbf34849f684f79273d0000000000e0f33f00902d7486c2cbbf8fb78b31b04e193d"
    "0000000000c0f33f00c0804ec9f3cabf6690cd3f634eba3c0000000000a0f33f00b0e21fbc23cabfeac146dc648c25bd"
    "0000000000a0f33f00b0e21fbc23cabfeac146dc648c25bd000000000080f33f0050f49c5a52c9bfe3d4c104d9d12abd"
    "000000000060f33f00d02065a07fc8bf09fadb7fbfbd2b3d000000000040f33f00e0100289abc7bf584a537290db2b3d"
    "000000000040f33f00e0100289abc7bf584a537290db2b3d000000000020f33f00d019e70fd6c6bf66e2b2a36ae410bd"
    "000000000000f33f0090a77030ffc5bf3950109f439e1ebd000000000000f33f0090a77030ffc5bf3950109f439e1ebd"
    "0000000000e0f23f00b0a1e3e526c5bf8f5b07908bde20bd0000000000c0f23f0080cb6c2b4dc4bf3c783561c10c173d"
    "0000000000c0f23f0080cb6c2b4dc4bf3c783561c10c173d0000000000a0f23f00901e20fc71c3bf3a54274d8678f13c"
    "000000000080f23f00f01ff85295c2bf08c47117308d24bd000000000060f23f00602fd52ab7c1bf96a31118a4802ebd"
    "000000000060f23f00602fd52ab7c1bf96a31118a4802ebd000000000040f23f0090d07c7ed7c0bff45be88896690a3d"
    "000000000040f23f0090d07c7ed7c0bff45be88896690a3d000000000020f23f00e0db3191ecbfbff233a35c547525bd"
    "000000000000f23f00002b6e0727bebf3c00f02a2c342a3d000000000000f23f00002b6e0727bebf3c00f02a2c342a3d"
    "0000000000e0f13f00c05b8f545ebcbf06be5f58570c1dbd0000000000c0f13f00e04a3a6d92babfc8aa5be83539253d"
    "0000000000c0f13f00e04a3a6d92babfc8aa5be83539253d0000000000a0f13f00a031d645c3b8bf68562f4d297c133d"
    "0000000000a0f13f00a031d645c3b8bf68562f4d297c133d000000000080f13f0060e58ad2f0b6bfda7333c9379726bd"
    "000000000060f13f0020063f071bb5bf575ec6615b021f3d000000000060f13f0020063f071bb5bf575ec6615b021f3d"
    "000000000040f13f00e01b96d741b3bfdf13f9ccda5e2c3d000000000040f13f00e01b96d741b3bfdf13f9ccda5e2c3d"
    "000000000020f13f0080a3ee3665b1bf09a38f765e7c143d000000000000f13f008011c0300aafbf918e36839e592d3d"
    "000000000000f13f008011c0300aafbf918e36839e592d3d0000000000e0f03f00801971dd42abbf4c70d6e57a821c3d"
    "0000000000e0f03f00801971dd42abbf4c70d6e57a821c3d0000000000c0f03f00c032f65874a7bfeea1f23446fc2cbd"
    "0000000000c0f03f00c032f65874a7bfeea1f23446fc2cbd0000000000a0f03f00c0feb9879ea3bfaafe26f5b702f53c"
    "0000000000a0f03f00c0feb9879ea3bfaafe26f5b702f53c000000000080f03f0000780e9b829fbfe4097e7c268029bd"
    "000000000080f03f0000780e9b829fbfe4097e7c268029bd000000000060f03f0080d5071bb997bf39a6fa93548d28bd"
    "000000000040f03f0000fcb0a8c08fbf9ca6d3f67c1edfbc000000000040f03f0000fcb0a8c08fbf9ca6d3f67c1edfbc"
    "000000000020f03f0000106b2ae07fbfe440da0d3fe219bd000000000020f03f0000106b2ae07fbfe440da0d3fe219bd"
    "000000000000f03f00000000000000000000000000000000000000000000f03f00000000000000000000000000000000"
    "0000000000c0ef3f000089751510803fe82b9d996bc710bd000000000080ef3f008093585620903fd2f7e2065bdc23bd"
    "000000000040ef3f0000c9282549983f340c5a32baa02abd000000000000ef3f0040e7895d41a03f53d7f15cc011013d"
    "0000000000c0ee3f00002ed4ae66a43f28fdbd7573162cbd000000000080ee3f00c09f14aa94a83f7d265ad0957919bd"
    "000000000040ee3f00c0ddcd73cbac3f0728d847f2681abd000000000020ee3f00c006c031eaae3f7b3bc94f3e110ebd"
    "0000000000e0ed3f006046d13b97b13f9b9e0d565d3225bd0000000000a0ed3f00e0d1a7f5bdb33fd74edba55ec82c3d"
    "000000000060ed3f00a0974d5ae9b53f1e1d5d3c06692cbd000000000040ed3f00c0ea0ad300b73f32ed9da98d1eec3c"
    "000000000000ed3f0040595d5e33b93fda47bd3a5c11233d0000000000c0ec3f0060ad8dc86abb3fe568f72b809013bd"
    "0000000000a0ec3f0040bc015888bc3fd3ac5ac6d146263d000000000060ec3f00200a8339c7be3fe045e6af68c02dbd"
    "000000000040ec3f00e0db3991e8bf3ffd0aa14fd63425bd000000000000ec3f00e027828e17c13ff2072dce78ef213d"
    "0000000000e0eb3f00f0237e2baac13f349938448ea72c3d0000000000a0eb3f0080860c61d1c23fa1b481cb6c9d033d"
    "000000000080eb3f009015b0fc65c33f89724b23a82fc63c000000000040eb3f00b033833d91c43f78b6fd547983253d"
    "000000000020eb3f00b0a1e4e527c53fc77d69e5e833263d0000000000e0ea3f00108cbe4e57c63f782e3c2c8bcf193d"
    "0000000000c0ea3f0070758b12f0c63fe1219ce58d1125bd0000000000a0ea3f005044858d89c73f0543917010661cbd"
    "000000000060ea3f000039ebafbec83fd12ce9aa543d07bd000000000040ea3f0000f7dc5a5ac93f6fffa05828f2073d"
    "000000000000ea3f00e08a3ced93ca3f69215650437228bd0000000000e0e93f00d05b57d831cb3faae1ac4e8d350cbd"
    "0000000000c0e93f00e03b3887d0cb3fb6125459c44b2dbd0000000000a0e93f0010f0c6fb6fcc3fd22b96c572ecf1bc"
    "000000000060e93f0090d4b03db1cd3f35b015f72aff2abd000000000040e93f0010e7ff0e53ce3f30f441602712c23c"
    "000000000020e93f0000dde4adf5ce3f118ebb651521cabc000000000000e93f00b0b36c1c99cf3f30df0ccaeccb1b3d"
    "0000000000c0e83f00584d603871d03f914eed16db9cf83c0000000000a0e83f006061672dc4d03fe9ea3c168b18273d"
    "000000000080e83f00e827828e17d13f1cf0a5630e212cbd000000000060e83f00f8accb5c6bd13f8116a5f7cd9a2b3d"
    "000000000040e83f00685a6399bfd13fb7bd4751eda62c3d000000000020e83f00b80e6d4514d23feaba46bade870a3d"
    "0000000000e0e73f0090dc7cf0bed23ff404504afa9c2a3d0000000000c0e73f0060d3e1f114d33fb83c21d37ae228bd"
    "0000000000a0e73f0010be76676bd33fc877f1b0cd6e113d000000000080e73f0030337752c2d33f5cbd06b6543b183d"
    "000000000060e73f00e8d523b419d43f9de090ec36e4083d000000000040e73f00c871c28d71d43f75d66709ce272fbd"
    "000000000020e73f0030179ee0c9d43fa4d80a1b89202ebd000000000000e73f00a03807ae22d53f59c7648170be2e3d"
    "0000000000e0e63f00d0c853f77bd53fef405deeedad1f3d0000000000c0e63f006059dfbdd5d53fdc65a4082a0b0abd"
)
_POW_EXP_HEX = (
    "0000000000000000000000000000f03f6ebf881a4f3b9b3c3533fba93df6ef3f5ddcd89c136071bc6180773e9aecef3f"
    "d16687107a5e90bc857f6ee815e3ef3f13f6673552d28c3c748515d3b0d9ef3ffa8ef92380ce8bbcdef6dd296bd0ef3f"
    "61c8e6614ef7603cc89b751845c7ef3f99d3335be4a3903c83f3c6ca3ebeef3f6d7b835da69a973c0f89f96c58b5ef3f"
    "fceffd921ab58e3cf747722b92acef3fd19c2f703dbe3e3ca2d1d332eca3ef3f0b6e908934036abc1bd3feaf669bef3f"
    "0ebd2f2a525695bc515b12d00193ef3f55ea4e8cef8050bccc316cc0bd8aef3f16f4d5b923c991bce02da9ae9a82ef3f"
    "af555ce9e3d3803c518ea5c8987aef3f4893a5ea151b80bc7b517d3cb872ef3f3d32de55f01f8fbcea8d8c38f96aef3f"
    "bf53133f8c898b3c75cb6feb5b63ef3f26eb11769cd996bcd45c0484e05bef3f602f3a3ef7ec9a3caab968318754ef3f"
    "9d3886cb82e78fbc1dd9fc22504def3f8dc3a644416f8a3cd68c62883b46ef3f7d04e4b0057a803c96dc7d91493fef3f"
    "94a8a8e3fd8e963c3862756e7a38ef3f7d4874f2185e873c3fa6b24fce31ef3ff2e71f982b47803cdd7ce265452bef3f"
    "5e08713f7bb896bc8163f5e1df24ef3f31ab096de1f7823ce1de1ff59d1eef3ffabf6f1a9b213dbc90d9dad07f18ef3f"
    "b40a0c7282378b3c0b03e4a68512ef3f8fcbce8992146e3c562f3ea9af0cef3fb6abb04d754d833c15b7310afe06ef3f"
    "4c74ace20142863c31d84cfc7001ef3f4af8d35d39dd8f3cff1664b208fcee3f045b8e3b80a386bcf19f925fc5f6ee3f"
    "68504bcced4a92bccba93a37a7f1ee3f8e2d511bf80799bc66d8056daeecee3fd236943ee8d171bcf79fe534dbe7ee3f"
    "151bceb3191999bce5a813c32de3ee3f6d4c2aa7489f853c2234124ca6deee3f8a69287a601293bc1c80ac0445daee3f"
    "5b8917488fa758bc2a2ef7210ad6ee3f1b9a49679b2c7cbc97a850d9f5d1ee3f11acc260ed63433c2d89616008ceee3f"
    "ef64063b0966963c57001ded41caee3f7903a1dae1cc6e3cd03cc1b5a2c6ee3f30120f3f8eff933cded3d7f02ac3ee3f"
    "b0af7abbce90763c272a36d5dabfee3f77e054ebbd1d933c0dddfd99b2bcee3f8ea3710034948fbca72c9d76b2b9ee3f"
    "49a393dcccde87bc4266cfa2dab6ee3f5f380fbdc6de78bc824f9d562bb4ee3ff65c7bec461286bc0f925dcaa4b1ee3f"
    "8ed7fd180535933cda27b53647afee3f059b8a2fb7987b3cfdc797d412adee3f09541ce2e163903c295448dd07abee3f"
    "eac6195085c7343cb746598a26a9ee3f35c0642be632943c4821ad156fa7ee3f9f7699614ae48cbc09dc76b9e1a5ee3f"
    "a84def3bc5338cbc85553ab07ea4ee3faee92b89785384bc20c3cc3446a3ee3f58585678ddce93bc2522558238a2ee3f"
    "64197e80aa10573c73a94cd455a1ee3f28225ebfefb393bccd3b7f669ea0ee3f82b93487ad126abcbfda0b7512a0ee3f"
    "eea96db8ef6763bc2f1a653cb29fee3f5188e0543ddc80bc849451f97d9fee3fcf3e5a7e641f78bc745fece8759fee3f"
    "b07d8bc04aee86bc7481a5489a9fee3f8ae6551e321986bcc9674256eb9fee3fd3d4095ecb9c903c3f5dde4f69a0ee3f"
    "1da54db9dc327bbc8701eb7314a1ee3f6bc06754fdec943c32c13001eda1ee3f556cd6abe1eb653c624ecf36f3a2ee3f"
    "42cfb32fc5a188bc121a3e5427a4ee3f34373bf1b66993bc13ce4c9989a5ee3f1eff193a845e80bcadc723461aa7ee3f"
    "6e5772d850d494bced92449bd9a8ee3f008a0e5b67ad903c99668ad9c7aaee3fb4eaf0c12fb78d3cdba02a42e5acee3f"
    "ffe7c59c60b665bc8c44b51632afee3f445ff35983f67b3c36771599aeb1ee3f833d1ea71f0993bcc6ff910b5bb4ee3f"
    "291e6c8bb8a95dbce5c5cdb037b7ee3f59b9907cf9236cbc0f52c8cb44baee3faaf9f422434392bc504ede9f82bdee3f"
    "4b8e66d76cca85bcba07ca70f1c0ee3f27ce912bfcaf713c90f0a38291c4ee3fbb730ae135d26d3c2323e31963c8ee3f"
    "6322622204c587bc65e55d7b66ccee3fd531e2e3861c8b3c332d4aec9bd0ee3f15bbbcd3d1bb91bc5d253eb203d5ee3f"
    "d231ee9c31cc903c58b330139ed9ee3fb35a736e8469843cbffd79556bdeee3fb49d8e97cddf82bc7af3d3bf6be3ee3f"
    "8733cb92771a8c3cadd35a999fe8ee3ffad9d14a8f7b90bc66b68d2907eeee3fbaaedc56d9c355bcfb154fb8a2f3ee3f"
    "40f6a63d0ea490bc3a59e58d72f9ee3f3493ad38f4d668bc475efbf276ffee3f358a586be2ee91bc4a06a130b005ef3f"
    "cddd5f0ad7ff743cd2c14b901e0cef3fac9892fafbbd91bc091ed75bc212ef3fb30caf30ae6e733c9c5285dd9b19ef3f"
    "94fd9f5c32e38e3c7ad0ff5fab20ef3fac5909d18fe0843c4bd1572ef127ef3f671a4e38afcd633cb5e706946d2fef3f"
    "6819926c2c6b673c6990efdc2037ef3fd2b5cc83188a80bcfac35d550b3fef3f6ffaff3f5dad8fbc7c89074a2d47ef3f"
    "49a97538ae0d90bcf2890d08874fef3fa7073da685a3743c87a4fbdc1858ef3f0f2240209e9182bc9883c916e360ef3f"
    "ac92c1d5505a8e3c8532db03e669ef3f4b6b01ac593a843c60b401f32173ef3f1f3eb40721d582bc5f9b7b33977cef3f"
    "c90d473bb92a89bc29a1f5144686ef3fd3883a6004b6743cf63f8be72e90ef3f71729d51ecc5833c834cc7fb519aef3f"
    "f091d38f12f78fbcda90a4a2afa4ef3f7d7423e298ae8dbcf1678e2d48afef3f0820aa41bcc38e3c275a61ee1bbaef3f"
    "32eba9c3942b843c97ba6b372bc5ef3fee85d131a9648a3c40456e5b76d0ef3fede33be4ba378ebc14be9cadfddbef3f"
    "9dcd914d3b89773cd8909e81c1e7ef3f89cc6041c105533cf1718f2bc2f3ef3f"
)

#: Module-level arrays: numba freezes them into the compiled code as constants, so LLVM
#: knows the table loads alias no output and vectorises the pow loop (4 pows per AVX2 op, 8 with AVX-512).
_POW_LOG = np.frombuffer(bytes.fromhex("".join(_POW_LOG_HEX)), dtype="<f8").astype(np.float64)
_POW_EXP = np.frombuffer(bytes.fromhex("".join(_POW_EXP_HEX)), dtype="<u8").astype(np.uint64)
_F = float.fromhex
_LN2HI, _LN2LO = _F("0x1.62e42fefa3800p-1"), _F("0x1.ef35793c76730p-45")
_A0, _A1, _A2 = -0.5, _F("-0x1.5555555555560p-1"), _F("0x1.0000000000006p-1")
_A3, _A4 = _F("0x1.999999959554ep-1"), _F("-0x1.555555529a47ap-1")
_A5, _A6 = _F("-0x1.2495b9b4845e9p+0"), _F("0x1.0002b8b263fc3p+0")
_INVLN2N, _SHIFT = _F("0x1.71547652b82fep+7"), _F("0x1.8000000000000p+52")
_NEGLN2HIN, _NEGLN2LON = _F("-0x1.62e42fefa0000p-8"), _F("-0x1.cf79abc9e3b3ap-47")
_C2, _C3 = _F("0x1.ffffffffffdbdp-2"), _F("0x1.555555555543cp-3")
_C4, _C5 = _F("0x1.55555cf172b91p-5"), _F("0x1.1111167a4d017p-7")


@_jit(inline=True)
def _pow_fast(x, y):
    """(x^y, ok): the fast path of glibc's ``__ieee754_pow_fma``, operation for operation
    (the same FMAs where its compiler contracted, the same order elsewhere), so the same
    bits. ``ok`` is False outside that path (x not a positive normal number, |y| outside
    [2^-65, 2^63), |y·log x| outside [2^-54, 512)): the caller then calls C's pow. No
    branches, so LLVM vectorises a loop of these."""
    # Intrinsics exist only in compiled code, where numba types them; mypy cannot follow.
    ix = _bits(x)  # type: ignore[call-arg,var-annotated]
    iy = _bits(y)
    topx = ix >> np.uint64(52)
    topy = (iy >> np.uint64(52)) & np.uint64(0x7FF)
    ok = (topx >= np.uint64(1)) & (topx <= np.uint64(0x7FE)) & (topy >= np.uint64(0x3BE)) & (topy <= np.uint64(0x43D))
    # log(x) = k·ln2 + log(c) + log1p(z/c − 1), as hi + lo
    tmp = ix - np.uint64(0x3FE6955500000000)
    i = np.int64((tmp >> np.uint64(45)) & np.uint64(127)) * 3
    kd = np.float64(np.int64(tmp) >> np.int64(52))
    z = _float(ix - (tmp & np.uint64(0xFFF0000000000000)))
    t1 = _fma(kd, _LN2HI, _POW_LOG[i + 1])
    lo1 = _fma(kd, _LN2LO, _POW_LOG[i + 2])
    r = _fma(z, _POW_LOG[i], -1.0)
    ar = r * _A0
    q1 = _fma(r, _A2, _A1)
    q2 = _fma(r, _A4, _A3)
    t2 = r + t1
    ar2 = r * ar
    ar3 = r * ar2
    lo3 = _fma(ar, r, -ar2)
    lo2 = (t1 - t2) + r
    q3 = _fma(r, _A6, _A5)
    hi = t2 + ar2
    q3 = _fma(q3, ar2, q2)
    lo4 = (t2 - hi) + ar2
    q = _fma(ar2, q3, q1)
    lo = ((lo1 + lo2) + lo3) + lo4
    lo = _fma(ar3, q, lo)
    lg = hi + lo
    tail = (hi - lg) + lo
    # y·log(x) as ehi + elo
    ehi = y * lg
    elo = _fma(y, tail, _fma(lg, y, -ehi))
    abstop = (_bits(ehi) >> np.uint64(52)) & np.uint64(0x7FF)
    ok = ok & (abstop >= np.uint64(0x3C9)) & (abstop <= np.uint64(0x407))
    # exp(ehi + elo) = 2^(k/128)·exp(r)
    kd = _fma(ehi, _INVLN2N, _SHIFT)
    ki = _bits(kd)
    kd = kd - _SHIFT
    r = _fma(kd, _NEGLN2HIN, ehi)
    r = _fma(kd, _NEGLN2LON, r)
    j = np.int64(ki & np.uint64(127)) * 2
    sbits = _POW_EXP[j + 1] + (ki << np.uint64(45))
    r = elo + r
    p = _fma(r, _C3, _C2)
    tl = r + _float(_POW_EXP[j])
    r2 = r * r
    c = _fma(r, _C5, _C4)
    p = _fma(p, r2, tl)
    p = _fma(c, r2 * r2, p)
    scale = _float(sbits)
    return _fma(p, scale, scale), ok


# ---------------------------------------------------------------------------------------
# Scalar pieces, each the per-element form of the numpy kernel's vectorised code

#: Rows per block: each phase of the kernel (the per-row rules, then per indicator the
#: gather, the z/pow/flag loop and the fix-up) runs over one block at a time, so the block's
#: scratch arrays stay in L1/L2 between phases. 1,024 or 2,048 rows were ~2 % faster on Zen 4,
#: within the noise; 512 is kept.
BLOCK_ROWS = 512

#: A row's fix-up: C's pow (the fast one did not take it); the restricted z or the flag.
FIX_POW, FIX = np.uint8(2), np.uint8(1)


@_jit(inline=True)
def _finish(p, y, L, M, S, restricted):
    """zscores.lms_z after the pow: p = (y/M)^L; WHO's restricted form beyond ±3 SD."""
    z = p - 1.0
    z = z / (S * L)
    if restricted:
        if z > 3.0:
            ls = L * S
            inv = 1.0 / L
            sd3 = M * math.pow(1.0 + ls * 3.0, inv)
            sd2 = M * math.pow(1.0 + ls * 2.0, inv)
            z = 3.0 + (y - sd3) / (sd3 - sd2)
        elif z < -3.0:
            ls = L * S
            inv = 1.0 / L
            sd3 = M * math.pow(1.0 + ls * -3.0, inv)
            sd2 = M * math.pow(1.0 + ls * -2.0, inv)
            z = -3.0 + (y - sd3) / (sd2 - sd3)
    return z


@_jit(inline=True)
def _r_round(x, p10, big):
    """zscores.r_round for one value, digits > 0 (p10 = 10^digits, big = R's cut-off)."""
    ax = abs(x)
    x10 = ax * p10
    i10 = np.floor(x10)
    xd = i10 / p10
    xu = np.ceil(x10) / p10
    du = xu - ax
    dd = ax - xd
    up = du < dd
    if du == dd:
        up = np.fmod(i10, 2.0) == 1.0
    res = xu if up else xd
    if ax >= big:
        res = ax
    return -res if x < 0 else res


@_jit(inline=True)
def _flag(z, lo, hi, lo_m, lo_p, hi_m, hi_p, p10, big):
    """zscores.flag for one value: lo_m, lo_p, hi_m, hi_p = lo − eps, lo + eps, hi − eps, hi + eps."""
    if math.isnan(z):
        return np.nan
    lt = z < lo_m
    if not lt and z < lo_p:
        lt = _r_round(z, p10, big) < lo
    gt = z > hi_p
    if not gt and z > hi_m:
        gt = _r_round(z, p10, big) > hi
    return 1.0 if (lt or gt) else 0.0


@_jit(inline=True)
def _age_row(y, s, day, age_ok, start, stop, stride, offset):
    """zscores._age_indicator's look-up for one value: the flat table index, or −1 where
    the z is missing (measure <= 0 or missing, age not valid or outside the table, no sex)."""
    ok = (y > 0.0) & age_ok & (day >= start) & (day <= stop) & (s != 0)
    row = offset + s * stride + (np.int64(day if ok else start) - start)
    return row if ok else np.int64(-1)


@_jit(inline=True)
def _bit(cond, bit):
    """``bit`` where cond holds, else 0: a select, so loops that or reason bits vectorise."""
    return bit if cond else np.uint32(0)


@_jit(inline=True)
def _age_rows(y, j, sex, day, months, m, start, stop, stride, offset):
    """_age_row for rows 0..m−1 of a block (a loop of its own: it vectorises)."""
    for k in range(m):
        j[k] = _age_row(y[k], np.int64(sex[k]), day[k], months[k] < 60.0, start, stop, stride, offset)


@_jit(inline=True)
def _measure_rows(given, x_in, x_inv, b0, m, out, rb, bit_inv, bit_nonpos, bit_missing):
    """The measurement() step for rows b0 … b0+m−1 into out[0:m] (all NaN if not given),
    its reason bits or-ed into rb: a loop of its own (few arrays, selects: it vectorises)."""
    if not given:
        out[:m] = np.nan
        return
    for k in range(m):
        i = np.uint64(b0 + k)  # unsigned (see the kernel)
        x = x_in[i]
        inv = x_inv[i]
        nonpos = x <= 0.0
        out[k] = np.nan if nonpos else x
        missing = math.isnan(x) & (not inv) & (not nonpos)
        rb[k] |= _bit(inv, bit_inv) | _bit(nonpos, bit_nonpos) | _bit(missing, bit_missing)


@_jit(inline=True)
def _measure(x, inv, reason, bit_inv, bit_nonpos):
    """The measurement() step: (value with <= 0 → NaN, nonpositive?, reason)."""
    nonpos = x <= 0.0
    if inv:
        reason |= bit_inv
    if nonpos:
        reason |= bit_nonpos
        x = np.nan
    return x, nonpos, reason


@_jit(inline=True)
def _z_and_flag(k, p, ok, Lb, Mb, Sb, Pb, Zr, Fr, fix, restricted, lo_m, lo_p, hi_m, hi_p):
    """Row k of a block, given p = (y/M)^L (``ok``: p is right): z = (p − 1)/(S·L), NaN if
    L, M or S is; the flag unless z is near a limit; ``fix[k]`` whether the row needs the
    fix-up: FIX_POW if the pow is not done (C's pow needed), FIX for a restricted z beyond
    ±3 SD or a z within 10^-digits of a limit.
    For plain tables (L = 1) p is y/M and S·L is S, so the same bits as (y/M − 1)/S."""
    L = Lb[k]
    M = Mb[k]
    S = Sb[k]
    Pb[k] = p
    z = p - 1.0
    z = z / (S * L)
    bad = math.isnan(L) | math.isnan(M) | math.isnan(S)
    z = np.nan if bad else z
    Zr[k] = z
    f = np.float64((z < lo_m) | (z > hi_p))
    Fr[k] = np.nan if math.isnan(z) else f
    near = ((z >= lo_m) & (z < lo_p)) | ((z > hi_m) & (z <= hi_p))
    redo = near | (restricted & (abs(z) > 3.0))
    no_pow = (not ok) & (not bad)
    fix[k] = (FIX_POW if no_pow else np.uint8(0)) | (FIX if redo else np.uint8(0))


# ---------------------------------------------------------------------------------------
# The kernel


@_jit
def anthro_kernel(
    sex_c, sex_miss, sex_inv,
    ad, ad_inv, am, am_inv, has_am,
    wt_in, wt_inv, has_w, lh_in, lh_inv, has_l,
    hc_in, hc_inv, has_hc, ac_in, ac_inv, has_ac, ts_in, ts_inv, has_ts, ss_in, ss_inv, has_ss,
    mcode_in, m_inv, oed, oed_inv,
    A, apar, aplain, arestr,
    W, wbase, wstart,
    flim, fthr, p10, big, bits,
    clen_out, c9_out, cbmi_out, csex_out, mcode_out, reasons, Z, F, slot, fastpow,
):  # fmt: skip
    n = sex_c.shape[0]
    nan = np.nan
    # Z row of each age table (len wei bmi hc ac ts ss), −1 if not computed.
    aslot = np.empty(7, dtype=np.int64)
    aslot[0] = slot[LEN]
    aslot[1] = slot[WEI]
    aslot[2] = slot[BMI]
    aslot[3] = slot[HC]
    aslot[4] = slot[AC]
    aslot[5] = slot[TS]
    aslot[6] = slot[SS]
    has_optional = has_hc or has_ac or has_ts or has_ss
    len_off, len_start, len_stop, len_stride = apar[0, 0], apar[0, 1], apar[0, 2], apar[0, 3]
    wei_off, wei_start, wei_stop, wei_stride = apar[1, 0], apar[1, 1], apar[1, 2], apar[1, 3]
    bmi_off, bmi_start, bmi_stop, bmi_stride = apar[2, 0], apar[2, 1], apar[2, 2], apar[2, 3]
    # Per block and indicator: L, M, S of each row, (y/M)^L and what its fix-up needs (OKb).
    Lb = np.empty(BLOCK_ROWS)
    Mb = np.empty(BLOCK_ROWS)
    Sb = np.empty(BLOCK_ROWS)
    Pb = np.empty(BLOCK_ROWS)
    OKb = np.empty(BLOCK_ROWS, dtype=np.uint8)  # FIX_POW | FIX: what the row's fix-up needs
    fixk = np.empty(BLOCK_ROWS, dtype=np.int64)  # the rows that need a fix-up
    # … their z (restricted: beyond ±3 SD), L, M, S, y, and whether C's pow is needed
    cz = np.empty(BLOCK_ROWS)
    cL = np.empty(BLOCK_ROWS)
    cM = np.empty(BLOCK_ROWS)
    cS = np.empty(BLOCK_ROWS)
    cy = np.empty(BLOCK_ROWS)
    powf = np.empty(BLOCK_ROWS, dtype=np.bool_)
    # Per block: y and table row (−1: no z) of each age table (0–6) and of WFL/WFH (7).
    yb = np.empty((8, BLOCK_ROWS))
    jb = np.empty((8, BLOCK_ROWS), dtype=np.int64)
    wup = np.empty(BLOCK_ROWS, dtype=np.int64)
    wfrac = np.empty(BLOCK_ROWS)
    # Per block, between the row loops: the rounded day, the months, the weight and the
    # length/height after the measurement() step, and the reason bits so far.
    dayb = np.empty(BLOCK_ROWS)
    monb = np.empty(BLOCK_ROWS)
    wtb = np.empty(BLOCK_ROWS)
    lhb = np.empty(BLOCK_ROWS)
    rb = np.empty(BLOCK_ROWS, dtype=np.uint32)
    # The reason bits in locals (loaded once, not once per row and test).
    b_sex_missing, b_sex_unknown = bits[R_SEX_MISSING], bits[R_SEX_UNKNOWN]
    b_age_missing, b_age_invalid = bits[R_AGE_MISSING], bits[R_AGE_INVALID]
    b_age_negative, b_age_oor = bits[R_AGE_NEGATIVE], bits[R_AGE_OOR]
    b_w_missing, b_w_invalid, b_w_nonpos = bits[R_W_MISSING], bits[R_W_INVALID], bits[R_W_NONPOS]
    b_l_missing, b_l_invalid, b_l_nonpos = bits[R_L_MISSING], bits[R_L_INVALID], bits[R_L_NONPOS]
    b_measure_invalid, b_standing_9mo = bits[R_MEASURE_INVALID], bits[R_STANDING_9MO]
    b_oedema_invalid, b_oedema, b_wfl_oor = bits[R_OEDEMA_INVALID], bits[R_OEDEMA], bits[R_WFL_OOR]
    # WFL/WFH: the flat row of 0 cm in each (table, sex): base[t, s] − start[t] (tables.py)
    wfl1, wfl2 = wbase[0, 1] - wstart[0], wbase[0, 2] - wstart[0]
    wfh1, wfh2 = wbase[1, 1] - wstart[1], wbase[1, 2] - wstart[1]
    for b0 in range(0, n, BLOCK_ROWS):
        b1 = min(n, b0 + BLOCK_ROWS)
        m = b1 - b0
        # The row rules, as several short loops over the block rather than one long one:
        # each touches few arrays and has no branch (selects; reason bits or-ed in as
        # selects, collected in rb), so LLVM vectorises it (8 rows per AVX-512 instruction).
        # One long loop with every array and rule stayed scalar (~24 ns a row; ~15 now).
        # Input and output rows are indexed with an unsigned i: for a signed index numba
        # adds the negative-index wrap-around (i < 0 → i + n), a select LLVM cannot remove
        # for b0 + k, which turns every load into a gather (as slow as the scalar loop).
        # Sex and age: days rounded half up for the tables; unrounded months for the limits.
        if has_am:
            for k in range(m):
                i = np.uint64(b0 + k)  # unsigned (see above)
                a_d = ad[i]
                a_m = am[i]
                use_days = not math.isnan(a_d)
                days_f = a_d if use_days else a_m * 30.4375
                months = a_d / 30.4375 if use_days else a_m
                bad_age = (ad_inv[i] & (not use_days) & math.isnan(a_m)) | (am_inv[i] & (not use_days))
                dayb[k] = days_f
                monb[k] = months
                rb[k] = _bit(bad_age, b_age_invalid)
        else:
            for k in range(m):
                i = np.uint64(b0 + k)  # unsigned (see above)
                a_d = ad[i]
                dayb[k] = a_d
                monb[k] = a_d / 30.4375
                rb[k] = _bit(ad_inv[i], b_age_invalid)
        for k in range(m):
            i = np.uint64(b0 + k)  # unsigned (see above)
            s = sex_c[i]
            csex_out[i] = np.float64(s) if s > 0 else nan
            days_f = dayb[k]
            months = monb[k]
            neg = days_f < 0.0
            days_f = nan if neg else days_f
            months = nan if neg else months
            f = np.floor(days_f)
            day = f + 1.0 if days_f - f >= 0.5 else f
            bad_age = rb[k] != np.uint32(0)  # only the age bit is set yet
            dayb[k] = day
            monb[k] = months
            rb[k] = (
                rb[k] | _bit(sex_miss[i], b_sex_missing) | _bit(sex_inv[i], b_sex_unknown)
                | _bit(neg, b_age_negative) | _bit(math.isnan(day) & (not neg) & (not bad_age), b_age_missing)
                | _bit((not math.isnan(months)) & (not (months < 60.0)), b_age_oor)
            )  # fmt: skip
        # Weight and length/height: the measurement() step (<= 0 → NaN), NaN if not given.
        _measure_rows(has_w, wt_in, wt_inv, b0, m, wtb, rb, b_w_invalid, b_w_nonpos, b_w_missing)
        _measure_rows(has_l, lh_in, lh_inv, b0, m, lhb, rb, b_l_invalid, b_l_nonpos, b_l_missing)
        # Measure: standing under 9 months → lying; then the ±0.7 cm correction by age.
        for k in range(m):
            i = np.uint64(b0 + k)  # unsigned (see above)
            mc = mcode_in[i]
            day = dayb[k]
            c9 = (mc == 2) & (monb[k] < 9.0)
            mc = np.int8(0) if c9 else mc
            c9_out[i] = np.int8(1) if c9 else np.int8(0)
            mcode_out[i] = mc
            lying_old = (day >= 731.0) & (mc == 1)
            standing_young = (day < 731.0) & (mc == 2)
            lh = lhb[k]
            clen_out[i] = lh + 0.7 if standing_young else (lh - 0.7 if lying_old else lh)
            rb[k] |= _bit(m_inv[i], b_measure_invalid) | _bit(oed_inv[i], b_oedema_invalid) | _bit(c9, b_standing_9mo)
        # BMI; oedema: no weight-based z (WAZ, BMI).
        for k in range(m):
            i = np.uint64(b0 + k)  # unsigned (see above)
            clen = clen_out[i]
            wt = wtb[k]
            h = clen / 100.0
            bmi = wt / (h * h) if has_w else nan
            cbmi_out[i] = bmi
            has_oedema = oed[i] == 1
            rb[k] |= _bit(has_w & has_oedema & (not math.isnan(wt)), b_oedema)
            yb[0, k] = clen
            yb[1, k] = nan if has_oedema else wt
            yb[2, k] = nan if has_oedema else bmi
        # Age-based indicators: the row of (sex, day) in each table (looked up below).
        # (len, wei and bmi as separate loops: no inner loop over the tables for the main four)
        if has_l:
            _age_rows(yb[0], jb[0], sex_c[b0:b1], dayb, monb, m, len_start, len_stop, len_stride, len_off)
        if has_w:
            _age_rows(yb[1], jb[1], sex_c[b0:b1], dayb, monb, m, wei_start, wei_stop, wei_stride, wei_off)
        if has_w and has_l:
            _age_rows(yb[2], jb[2], sex_c[b0:b1], dayb, monb, m, bmi_start, bmi_stop, bmi_stride, bmi_off)
        if has_optional:  # head/arm circumference, skinfolds: rarer, one scalar loop
            for k in range(m):
                i = np.uint64(b0 + k)  # unsigned (see above)
                reason = rb[k]
                young = False
                if has_hc:
                    yb[3, k], _, reason = _measure(hc_in[i], hc_inv[i], reason, bits[R_HC_INVALID], bits[R_HC_NONPOS])
                if has_ac:
                    yb[4, k], _, reason = _measure(ac_in[i], ac_inv[i], reason, bits[R_AC_INVALID], bits[R_AC_NONPOS])
                    young = young or not math.isnan(yb[4, k])
                if has_ts:
                    yb[5, k], _, reason = _measure(ts_in[i], ts_inv[i], reason, bits[R_TS_INVALID], bits[R_TS_NONPOS])
                    young = young or not math.isnan(yb[5, k])
                if has_ss:
                    yb[6, k], _, reason = _measure(ss_in[i], ss_inv[i], reason, bits[R_SS_INVALID], bits[R_SS_NONPOS])
                    young = young or not math.isnan(yb[6, k])
                if young and dayb[k] < 91.0:
                    reason |= bits[R_UNDER_91]
                rb[k] = reason
            for r in range(3, 7):
                if aslot[r] >= 0:
                    _age_rows(yb[r], jb[r], sex_c[b0:b1], dayb, monb, m, apar[r, 1], apar[r, 2], apar[r, 3], apar[r, 0])

        # Weight-for-length/height: table by age, then by measure, then 87 cm; its rows at
        # 0.1 cm below and above the length, computed for every row (selects), kept where ok.
        if has_w and has_l:
            for k in range(m):
                i = np.uint64(b0 + k)  # unsigned (see above)
                x = clen_out[i]
                wt = wtb[k]
                day = dayb[k]
                mc = mcode_out[i]
                s = np.int64(sex_c[i])
                day_na = math.isnan(day)
                x_ok = not math.isnan(x)
                day_ok = not day_na
                no_m = day_na & (mc == 0) & x_ok
                on_l = (day_ok & (day < 731.0)) | (day_na & (mc == 1)) | (no_m & (x < 87.0))
                on_h = (day_ok & (day >= 731.0)) | (day_na & (mc == 2)) | (no_m & (x >= 87.0))
                in_l = on_l & (x >= 45.0) & (x <= 110.0)
                in_h = (not on_l) & on_h & (x >= 65.0) & (x <= 120.0)
                valid = (in_l | in_h) & (oed[i] == 0) & (day_na | (day <= 1856.0)) & (not (monb[k] >= 60.0)) & (s > 0)
                ok = valid & (wt > 0.0)
                # base[t, s] − start[t] as selects: an indexed load kept this loop scalar (~8 ns a row)
                base = (wfh2 if s == 2 else wfh1) if in_h else (wfl2 if s == 2 else wfl1)
                oor = (not (in_l | in_h)) & x_ok & (on_l | on_h) & (not math.isnan(wt))
                rb[k] |= _bit(oor, b_wfl_oor)
                mm_lo = np.trunc(x * 10.0)
                mm_up = np.trunc(x * 10.0 + 1.0)
                yb[7, k] = wt
                jb[7, k] = base + np.int64(mm_lo if ok else 0.0) if ok else np.int64(-1)
                wup[k] = base + np.int64(mm_up if ok else 0.0)
                wfrac[k] = (x - mm_lo / 10.0) / 0.1
        for k in range(m):
            reasons[np.uint64(b0 + k)] = rb[k]

        # Then one indicator at a time over the block: gather its L, M, S (scalar loads,
        # independent, so cache misses overlap), compute z and the flag in branch-free loops
        # that LLVM vectorises, and fix up the few rows that need more (C's pow outside the
        # fast path, the restricted LMS beyond ±3 SD, a z within 10^-digits of a flag limit).
        for r in range(8):
            zr = slot[WFL] if r == 7 else aslot[r]
            if zr < 0:
                continue
            if r < 7:
                plain = aplain[r]
                restricted = arestr[r]
                for k in range(m):
                    j = jb[r, k]
                    if j < 0:
                        Lb[k] = nan
                        Mb[k] = nan
                        Sb[k] = nan
                    else:
                        Lb[k] = A[j, 0]
                        Mb[k] = A[j, 1]
                        Sb[k] = A[j, 2]
            else:
                plain = False
                restricted = True
                for k in range(m):
                    j = jb[7, k]
                    if j < 0:
                        Lb[k] = nan
                        Mb[k] = nan
                        Sb[k] = nan
                        continue
                    L = W[j, 0]
                    M = W[j, 1]
                    S = W[j, 2]
                    frac = wfrac[k]
                    between = frac > 0.0  # between 0.1 cm rows (a select: frac > 0 is random)
                    up = wup[k] if between else j  # (the next row may not exist when frac = 0)
                    Lb[k] = L + frac * (W[up, 0] - L) if between else L
                    Mb[k] = M + frac * (W[up, 1] - M) if between else M
                    Sb[k] = S + frac * (W[up, 2] - S) if between else S
            # z and flag in one vectorised loop. Flags are on WHO's rounded z: only a z within
            # 10^-digits of a limit needs R's rounding (fix-up). Rows the fast pow did not take
            # and restricted z beyond ±3 SD are fixed up too.
            kf = r if r < 2 else (WFL if r == 7 else r + 1)  # FLAG_LIMITS row: INDICATORS order
            lo = flim[kf, 0]
            hi = flim[kf, 1]
            lo_m = fthr[kf, 0]
            lo_p = fthr[kf, 1]
            hi_m = fthr[kf, 2]
            hi_p = fthr[kf, 3]
            yr = yb[r]
            Zr = Z[zr, b0:b1]
            Fr = F[zr, b0:b1]
            use_fast = fastpow and not plain
            # Three copies of the loop, so that each has no branch inside (and vectorises).
            if plain:  # L = 1: (y/M)^1 is y/M, S·1 is S; plain tables are not restricted
                for k in range(m):
                    q = yr[k] / Mb[k]
                    _z_and_flag(k, q, True, Lb, Mb, Sb, Pb, Zr, Fr, OKb, False, lo_m, lo_p, hi_m, hi_p)
            elif use_fast:
                for k in range(m):
                    q = yr[k] / Mb[k]
                    p, ok = _pow_fast(q, Lb[k])
                    _z_and_flag(k, p, ok, Lb, Mb, Sb, Pb, Zr, Fr, OKb, restricted, lo_m, lo_p, hi_m, hi_p)
            else:  # C's pow for every row, in the fix-up loop
                for k in range(m):
                    _z_and_flag(k, 0.0, False, Lb, Mb, Sb, Pb, Zr, Fr, OKb, restricted, lo_m, lo_p, hi_m, hi_p)
            # The fix-up, on the list of rows that need it (branch-free: each row is written
            # at position nf, which moves on only if the row needs a fix). In the synthetic
            # bench data 12–13 % of WHZ and BMI-for-age rows are beyond ±3 SD; redoing them
            # one by one with C's pow cost ~6 ns a row per indicator.
            nf = np.int64(0)
            for k in range(m):
                fixk[nf] = k
                nf += np.int64(OKb[k] != 0)
            if not plain:
                for t in range(nf):  # C's pow where the fast one did not take the row (rare)
                    k = fixk[t]
                    if OKb[k] & FIX_POW:
                        L = Lb[k]
                        p = math.pow(yr[k] / Mb[k], L)
                        Pb[k] = p
                        Zr[k] = _finish(p, yr[k], L, Mb[k], Sb[k], False)
            if restricted:
                # WHO's restricted form beyond ±3 SD for the listed rows: their z, L, M, S, y
                # copied into short arrays first (read through the list, the loop below would
                # not vectorise), then the same operations as _finish, with the fast pow (and
                # C's pow, in the flag loop, where the fast one cannot).
                for t in range(nf):
                    k = fixk[t]
                    cz[t] = Zr[k]
                    cL[t] = Lb[k]
                    cM[t] = Mb[k]
                    cS[t] = Sb[k]
                    cy[t] = yr[k]
                for t in range(nf):
                    z = cz[t]
                    L = cL[t]
                    M = cM[t]
                    y = cy[t]
                    above = z > 3.0
                    beyond = above | (z < -3.0)
                    ls = L * cS[t]
                    inv = 1.0 / L
                    p3, ok3 = _pow_fast(1.0 + ls * (3.0 if above else -3.0), inv)
                    p2, ok2 = _pow_fast(1.0 + ls * (2.0 if above else -2.0), inv)
                    sd3 = M * p3
                    sd2 = M * p2
                    z_hi = 3.0 + (y - sd3) / (sd3 - sd2)
                    z_lo = -3.0 + (y - sd3) / (sd2 - sd3)
                    cz[t] = (z_hi if above else z_lo) if beyond else z
                    powf[t] = beyond & ((not use_fast) | (not (ok3 & ok2)))
            for t in range(nf):
                k = fixk[t]
                if restricted:
                    Zr[k] = _finish(Pb[k], yr[k], Lb[k], Mb[k], Sb[k], True) if powf[t] else cz[t]
                Fr[k] = _flag(Zr[k], lo, hi, lo_m, lo_p, hi_m, hi_p, p10, big)


@_jit
def pow_probe(a, b, out):
    """C pow as the kernel calls it (to check it against math.pow once per process)."""
    for i in range(a.shape[0]):
        out[i] = math.pow(a[i], b[i])


@_jit
def numeric_codes(v, k0, k1, k2, k3, c0, c1, c2, c3, codes, missing, invalid):
    """zscores' to_codes for a numeric array with at most four keys, given as scalars (NaN
    pads: it equals nothing): value == k_j → c_j, in straight-line selects that LLVM
    vectorises (~0.3 ns a row; a loop over a keys array took ~8)."""
    for i in range(v.shape[0]):
        x = np.float64(v[i])
        h0 = x == k0
        h1 = x == k1
        h2 = x == k2
        h3 = x == k3
        codes[i] = c0 if h0 else (c1 if h1 else (c2 if h2 else (c3 if h3 else np.int8(0))))
        m = math.isnan(x)
        missing[i] = m
        invalid[i] = not (h0 | h1 | h2 | h3 | m)


@_jit
def byte_codes(offsets, data, lut_code, lut_missing, lut_known, codes, missing, invalid):
    """One-character strings (Arrow offsets + data buffer) → codes via 256-entry tables.
    Returns False (and leaves the outputs partial) if some value is not one byte long."""
    n = codes.shape[0]
    for i in range(n):
        if offsets[i + 1] - offsets[i] != 1:
            return False
    for i in range(n):
        b = data[offsets[i]]
        codes[i] = lut_code[b]
        missing[i] = lut_missing[b]
        invalid[i] = not lut_known[b] and not lut_missing[b]
    return True


@_jit
def pow_fast_probe(a, b, out):
    """The kernel's pow: the inlined copy of glibc's, C's pow where it leaves the fast path."""
    for i in range(a.shape[0]):
        v, ok = _pow_fast(a[i], b[i])
        out[i] = v if ok else math.pow(a[i], b[i])


@_jit
def pow_fast_ok_probe(a, b, out):
    """Whether the inlined copy takes (a[0], b[0]) on its fast path (for the tests)."""
    v, ok = _pow_fast(a[0], b[0])
    out[0] = v
    return ok
