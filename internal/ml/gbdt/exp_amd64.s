//go:build !noasm && !gccgo && !safe

#include "textflag.h"

// The constants of math.Exp's amd64 assembly (src/math/exp_amd64.s), as
// the same decimal literals, each four times for a 4-wide operand.
#define QUAD(off, v) DATA expc<>+off+0(SB)/8, v; DATA expc<>+off+8(SB)/8, v; DATA expc<>+off+16(SB)/8, v; DATA expc<>+off+24(SB)/8, v

QUAD(0, $1.4426950408889634073599246810018920)         // LOG2E
QUAD(32, $0.69314718055966295651160180568695068359375) // LN2U
QUAD(64, $0.28235290563031577122588448175013436025525412068e-12) // LN2L
QUAD(96, $0.0625)
QUAD(128, $2.4801587301587301587e-5)
QUAD(160, $1.9841269841269841270e-4)
QUAD(192, $1.3888888888888888889e-3)
QUAD(224, $8.3333333333333333333e-3)
QUAD(256, $4.1666666666666666667e-2)
QUAD(288, $1.6666666666666666667e-1)
QUAD(320, $0.5)
QUAD(352, $1.0)
QUAD(384, $2.0)
QUAD(416, $700.0)                 // the largest |x| taken here
QUAD(448, $0x7fffffffffffffff)     // |x| mask
QUAD(480, $0x3ff)                  // exponent bias
GLOBL expc<>(SB), RODATA, $512

// func hasAVX2FMA() (avx2, fma bool)
TEXT ·hasAVX2FMA(SB), NOSPLIT, $0-2
	MOVB $0, avx2+0(FP)
	MOVB $0, fma+1(FP)
	MOVL $1, AX
	XORL CX, CX
	CPUID
	MOVL CX, R8
	ANDL $0x18000000, CX // OSXSAVE and AVX
	CMPL CX, $0x18000000
	JNE  no
	XORL CX, CX
	XGETBV               // the OS saves XMM and YMM state
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	ANDL $0x1000, R8     // FMA
	JZ   nofma
	MOVB $1, fma+1(FP)

nofma:
	MOVL $7, AX
	XORL CX, CX
	CPUID
	ANDL $0x20, BX       // AVX2
	JZ   no
	MOVB $1, avx2+0(FP)

no:
	RET

// func expAVX2(dst, src *float64, n int, fma bool) int
//
// dst[i] = math.Exp(src[i]) four at a time, i < n (a multiple of 4), with
// math.Exp's operations lane by lane: its FMA sequence when fma, else its
// SSE2 one. It stops at the first four values not all in [-700, 700]
// (where math.Exp takes other paths) and returns how many it did.
TEXT ·expAVX2(SB), NOSPLIT, $0-40
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVBLZX fma+24(FP), R8
	XORQ    AX, AX
	LEAQ    expc<>(SB), R9
	VMOVUPD 0(R9), Y8      // LOG2E
	VMOVUPD 32(R9), Y9     // LN2U
	VMOVUPD 64(R9), Y10    // LN2L
	VMOVUPD 96(R9), Y11    // 0.0625
	VMOVUPD 384(R9), Y12   // 2
	VMOVUPD 352(R9), Y13   // 1
	VMOVUPD 416(R9), Y14   // 700
	VMOVUPD 448(R9), Y15   // |x| mask

loop:
	CMPQ      AX, CX
	JAE       done
	VMOVUPD   (SI)(AX*8), Y0
	VANDPD    Y15, Y0, Y1
	VCMPPD    $0x12, Y14, Y1, Y1 // |x| <= 700, false for NaN
	VMOVMSKPD Y1, DX
	CMPL      DX, $15
	JNE       done
	VMULPD    Y0, Y8, Y1         // LOG2E * x
	VCVTPD2DQY Y1, X2            // the exponents, rounded to nearest
	VCVTDQ2PD X2, Y1
	TESTQ     R8, R8
	JZ        sse2

	VFNMADD231PD Y9, Y1, Y0      // x -= k*LN2U, fused
	VFNMADD231PD Y10, Y1, Y0     // x -= k*LN2L, fused
	VMULPD       Y11, Y0, Y0
	VMOVUPD      128(R9), Y3
	VFMADD213PD  160(R9), Y0, Y3
	VFMADD213PD  192(R9), Y0, Y3
	VFMADD213PD  224(R9), Y0, Y3
	VFMADD213PD  256(R9), Y0, Y3
	VFMADD213PD  288(R9), Y0, Y3
	VFMADD213PD  320(R9), Y0, Y3
	VFMADD213PD  352(R9), Y0, Y3
	VMULPD       Y3, Y0, Y0
	VADDPD       Y12, Y0, Y3
	VMULPD       Y3, Y0, Y0
	VADDPD       Y12, Y0, Y3
	VMULPD       Y3, Y0, Y0
	VADDPD       Y12, Y0, Y3
	VMULPD       Y3, Y0, Y0
	VADDPD       Y12, Y0, Y3
	VFMADD213PD  Y13, Y3, Y0     // x*y + 1, fused
	JMP          ldexp

sse2:
	VMULPD Y9, Y1, Y3
	VSUBPD Y3, Y0, Y0
	VMULPD Y10, Y1, Y3
	VSUBPD Y3, Y0, Y0
	VMULPD Y11, Y0, Y0
	VMULPD 128(R9), Y0, Y3
	VADDPD 160(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD 192(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD 224(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD 256(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD 288(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD 320(R9), Y3, Y3
	VMULPD Y0, Y3, Y3
	VADDPD Y13, Y3, Y3
	VMULPD Y3, Y0, Y0
	VADDPD Y0, Y12, Y3
	VMULPD Y3, Y0, Y0
	VADDPD Y0, Y12, Y3
	VMULPD Y3, Y0, Y0
	VADDPD Y0, Y12, Y3
	VMULPD Y3, Y0, Y0
	VADDPD Y0, Y12, Y3
	VMULPD Y3, Y0, Y0
	VADDPD Y13, Y0, Y0

ldexp:
	VPMOVSXDQ X2, Y4             // the exponents as int64
	VPADDQ    480(R9), Y4, Y4
	VPSLLQ    $52, Y4, Y4        // 2^k
	VMULPD    Y4, Y0, Y0
	VMOVUPD   Y0, (DI)(AX*8)
	ADDQ      $4, AX
	JMP       loop

done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
