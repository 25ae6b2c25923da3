//go:build !noasm && !gccgo && !safe

#include "textflag.h"

// func hasAVX() bool
TEXT ·hasAVX(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	ANDL $0x18000000, CX // OSXSAVE (bit 27) and AVX (bit 28)
	CMPL CX, $0x18000000
	JNE  noavx
	XORL CX, CX
	XGETBV               // XCR0: the OS saves XMM (bit 1) and YMM (bit 2) state
	ANDL $6, AX
	CMPL AX, $6
	JNE  noavx
	MOVB $1, ret+0(FP)
	RET

noavx:
	MOVB $0, ret+0(FP)
	RET

// func kernel6AVX(xc *float64, dc int, codes *uint32, ng int, rows *int32, nrows int, cont *float64, tab *float64, out *float64, stride int)
//
// For each row i = rows[r]: a[0:6] = sum over groups of tab[codes[i*ng+g]*6 : +6],
// then for t < dc: e = xc[i*dc+t] - cont[t*6 : t*6+6]; a += e*e; out[r*stride/8 : +6] = a.
// Lanes 0-3 live in Y0, lanes 4-5 in X1. stride is in bytes.
TEXT ·kernel6AVX(SB), NOSPLIT, $0-80
	MOVQ xc+0(FP), SI
	MOVQ codes+16(FP), R8
	MOVQ rows+32(FP), R10
	MOVQ nrows+40(FP), R11
	LEAQ (R10)(R11*4), R11 // end of rows
	MOVQ cont+48(FP), R12
	MOVQ tab+56(FP), R13
	MOVQ out+64(FP), DI
	MOVQ stride+72(FP), R14

row6:
	CMPQ    R10, R11
	JAE     done6
	MOVLQSX (R10), AX      // i
	MOVQ    ng+24(FP), CX
	MOVQ    AX, BX
	IMULQ   CX, BX
	LEAQ    (R8)(BX*4), BX // &codes[i*ng]
	LEAQ    (BX)(CX*4), CX // its end
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1

tab6:
	CMPQ   BX, CX
	JAE    cont6start
	MOVL   (BX), DX
	IMULQ  $48, DX
	VADDPD (R13)(DX*1), Y0, Y0
	VADDPD 32(R13)(DX*1), X1, X1
	ADDQ   $4, BX
	JMP    tab6

cont6start:
	MOVQ  dc+8(FP), CX
	MOVQ  AX, DX
	IMULQ CX, DX
	LEAQ  (SI)(DX*8), DX // &xc[i*dc]
	LEAQ  (DX)(CX*8), CX // its end
	MOVQ  R12, BX

cont6:
	CMPQ         DX, CX
	JAE          store6
	VBROADCASTSD (DX), Y2
	VSUBPD       (BX), Y2, Y3
	VMULPD       Y3, Y3, Y3
	VADDPD       Y3, Y0, Y0
	VSUBPD       32(BX), X2, X4
	VMULPD       X4, X4, X4
	VADDPD       X4, X1, X1
	ADDQ         $8, DX
	ADDQ         $48, BX
	JMP          cont6

store6:
	VMOVUPD Y0, (DI)
	VMOVUPD X1, 32(DI)
	ADDQ    R14, DI
	ADDQ    $4, R10
	JMP     row6

done6:
	VZEROUPPER
	RET

// func kernel4AVX(xc *float64, dc int, codes *uint32, ng int, rows *int32, nrows int, cont *float64, tab *float64, out *float64, stride int)
//
// kernel6AVX for chunks of width 4: all lanes in Y0.
TEXT ·kernel4AVX(SB), NOSPLIT, $0-80
	MOVQ xc+0(FP), SI
	MOVQ codes+16(FP), R8
	MOVQ rows+32(FP), R10
	MOVQ nrows+40(FP), R11
	LEAQ (R10)(R11*4), R11
	MOVQ cont+48(FP), R12
	MOVQ tab+56(FP), R13
	MOVQ out+64(FP), DI
	MOVQ stride+72(FP), R14

row4:
	CMPQ    R10, R11
	JAE     done4
	MOVLQSX (R10), AX
	MOVQ    ng+24(FP), CX
	MOVQ    AX, BX
	IMULQ   CX, BX
	LEAQ    (R8)(BX*4), BX
	LEAQ    (BX)(CX*4), CX
	VXORPD  Y0, Y0, Y0

tab4:
	CMPQ   BX, CX
	JAE    cont4start
	MOVL   (BX), DX
	SHLQ   $5, DX
	VADDPD (R13)(DX*1), Y0, Y0
	ADDQ   $4, BX
	JMP    tab4

cont4start:
	MOVQ  dc+8(FP), CX
	MOVQ  AX, DX
	IMULQ CX, DX
	LEAQ  (SI)(DX*8), DX
	LEAQ  (DX)(CX*8), CX
	MOVQ  R12, BX

cont4:
	CMPQ         DX, CX
	JAE          store4
	VBROADCASTSD (DX), Y2
	VSUBPD       (BX), Y2, Y3
	VMULPD       Y3, Y3, Y3
	VADDPD       Y3, Y0, Y0
	ADDQ         $8, DX
	ADDQ         $32, BX
	JMP          cont4

store4:
	VMOVUPD Y0, (DI)
	ADDQ    R14, DI
	ADDQ    $4, R10
	JMP     row4

done4:
	VZEROUPPER
	RET

// func hasAVX2() bool
TEXT ·hasAVX2(SB), NOSPLIT, $0-1
	XORL AX, AX
	CPUID                // EAX: the highest leaf
	CMPL AX, $7
	JB   noavx2
	MOVL $7, AX
	XORL CX, CX
	CPUID
	SHRL $5, BX          // leaf 7 EBX bit 5: AVX2
	ANDL $1, BX
	MOVB BX, ret+0(FP)
	RET

noavx2:
	MOVB $0, ret+0(FP)
	RET

// SILSUM adds the squares of column t's differences into the partial
// sums acc (lanes j0..j0+3) and accB (j0+4..j0+7): the broadcast of
// xi[t] at off(R8), the block's column t at off2(R9).
#define SILSUM2(off, off2, acc, accB) \
	VBROADCASTSD off(R8), Y8      \
	VSUBPD       off2(R9), Y8, Y9 \
	VSUBPD       off2+32(R9), Y8, Y10 \
	VMULPD       Y9, Y9, Y9       \
	VMULPD       Y10, Y10, Y10    \
	VADDPD       Y9, acc, acc     \
	VADDPD       Y10, accB, accB

#define SILSUM1(off, off2, acc) \
	VBROADCASTSD off(R8), Y8  \
	VSUBPD       off2(R9), Y8, Y9 \
	VMULPD       Y9, Y9, Y9   \
	VADDPD       Y9, acc, acc

// SILQ turns the partial sums s0..s3 into q = int64(sqrt((s0+s1)+(s2+s3))*scale + 0.5)
// in s0: truncation of a value in [0, 2^52), then f + 2^52 has f in its
// mantissa bits and 0x433 in its exponent, which the XOR clears.
#define SILQ(s0, s1, s2, s3) \
	VADDPD   s1, s0, s0  \
	VADDPD   s3, s2, s2  \
	VADDPD   s2, s0, s0  \
	VSQRTPD  s0, s0      \
	VMULPD   Y15, s0, s0 \
	VADDPD   Y14, s0, s0 \
	VROUNDPD $3, s0, s0  \
	VADDPD   Y13, s0, s0 \
	VXORPD   Y13, s0, s0

// func silSpanAVX(xi *float64, d int, xt *float64, m int, scale float64, col *int64) int64
//
// Eight rows j at a time (partial sums Y0-Y3 and Y4-Y7), then four (Y0-Y3);
// Y12 sums the q, Y13 = 2^52, Y14 = 0.5, Y15 = scale. The columns of the
// block are silBlock*8 = 1024 bytes apart.
TEXT ·silSpanAVX(SB), NOSPLIT, $0-56
	MOVQ         xi+0(FP), SI
	MOVQ         d+8(FP), CX
	MOVQ         xt+16(FP), BX
	MOVQ         m+24(FP), DX
	VBROADCASTSD scale+32(FP), Y15
	MOVQ         col+40(FP), DI
	MOVQ         $0x3FE0000000000000, AX // 0.5
	VMOVQ        AX, X14
	VBROADCASTSD X14, Y14
	MOVQ         $0x4330000000000000, AX // 2^52
	VMOVQ        AX, X13
	VBROADCASTSD X13, Y13
	VPXOR        Y12, Y12, Y12
	MOVQ         CX, R10
	SHRQ         $2, R10                 // groups of four columns
	ANDQ         $3, CX                  // the remaining columns

sil8:
	CMPQ   DX, $8
	JB     sil4
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ   SI, R8
	MOVQ   BX, R9
	MOVQ   R10, R11

sil8quad:
	TESTQ   R11, R11
	JZ      sil8rest
	SILSUM2(0, 0, Y0, Y4)
	SILSUM2(8, 1024, Y1, Y5)
	SILSUM2(16, 2048, Y2, Y6)
	SILSUM2(24, 3072, Y3, Y7)
	ADDQ    $32, R8
	ADDQ    $4096, R9
	DECQ    R11
	JMP     sil8quad

sil8rest:
	MOVQ    CX, R11

sil8one:
	TESTQ   R11, R11
	JZ      sil8q
	SILSUM2(0, 0, Y0, Y4)
	ADDQ    $8, R8
	ADDQ    $1024, R9
	DECQ    R11
	JMP     sil8one

sil8q:
	SILQ(Y0, Y1, Y2, Y3)
	SILQ(Y4, Y5, Y6, Y7)
	VPADDQ  Y0, Y12, Y12
	VPADDQ  Y4, Y12, Y12
	TESTQ   DI, DI
	JZ      sil8next
	VPADDQ  (DI), Y0, Y0
	VMOVDQU Y0, (DI)
	VPADDQ  32(DI), Y4, Y4
	VMOVDQU Y4, 32(DI)
	ADDQ    $64, DI

sil8next:
	ADDQ $64, BX
	SUBQ $8, DX
	JMP  sil8

sil4:
	TESTQ  DX, DX
	JZ     silsum
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ   SI, R8
	MOVQ   BX, R9
	MOVQ   R10, R11

sil4quad:
	TESTQ   R11, R11
	JZ      sil4rest
	SILSUM1(0, 0, Y0)
	SILSUM1(8, 1024, Y1)
	SILSUM1(16, 2048, Y2)
	SILSUM1(24, 3072, Y3)
	ADDQ    $32, R8
	ADDQ    $4096, R9
	DECQ    R11
	JMP     sil4quad

sil4rest:
	MOVQ    CX, R11

sil4one:
	TESTQ   R11, R11
	JZ      sil4q
	SILSUM1(0, 0, Y0)
	ADDQ    $8, R8
	ADDQ    $1024, R9
	DECQ    R11
	JMP     sil4one

sil4q:
	SILQ(Y0, Y1, Y2, Y3)
	VPADDQ  Y0, Y12, Y12
	TESTQ   DI, DI
	JZ      sil4next
	VPADDQ  (DI), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, DI

sil4next:
	ADDQ $32, BX
	SUBQ $4, DX
	JMP  sil4

silsum:
	VEXTRACTI128 $1, Y12, X0
	VPADDQ       X0, X12, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDQ       X1, X0, X0
	VMOVQ        X0, AX
	MOVQ         AX, ret+48(FP)
	VZEROUPPER
	RET
