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

// SUM4 stores to dst the four partial sums of Y, added as
// (s0 + s1) + (s2 + s3); it uses X9.
#define SUM4(Y, X, dst) \
	VEXTRACTF128 $1, Y, X9 \ // s2, s3
	VHADDPD      X9, X, X  \ // s0 + s1, s2 + s3
	VPERMILPD    $1, X, X9 \
	VADDSD       X9, X, X  \
	VMOVSD       X, dst

// SUM4x4 adds up the partial sums of four distances at once: with Y0 to
// Y3 holding [s0, s1, s2, s3] of rows 0 to 3, it leaves in Y0 their
// (s0 + s1) + (s2 + s3), row r in lane r; it uses Y4 to Y7.
#define SUM4x4 \
	VHADDPD    Y1, Y0, Y4     \ // r0 s0+s1, r1 s0+s1, r0 s2+s3, r1 s2+s3
	VHADDPD    Y3, Y2, Y5     \ // the same for r2, r3
	VPERM2F128 $0x20, Y5, Y4, Y6 \ // the four s0+s1
	VPERM2F128 $0x31, Y5, Y4, Y7 \ // the four s2+s3
	VADDPD     Y7, Y6, Y0

// func rowDistsAVX(q *float64, dp int, active *uint16, na int, rows *float64, nr int, top, dist *float64, mask *uint32)
//
// For each query row g = active[a] (at q + g*dp) and each of the nr rows
// r: Y = Σ over groups of 4 columns of (q - row)², dist[a*nr + r] =
// SUM4(Y), and bit r of mask[a] set when that is at most top[g]. Four rows
// at a time share the query's loads and the final additions.
//
// Registers: R14 a row's bytes, R8 the next of active, R9 its end, DI the
// next of dist, BX the query row, R10 the row, R11 the rows' end, R12, R13
// and AX rows 1 to 3 of four, DX the column's offset, CX the row's number,
// SI the mask, Y10 top[g].
TEXT ·rowDistsAVX(SB), NOSPLIT, $0-72
	MOVQ dp+8(FP), R14
	SHLQ $3, R14
	MOVQ active+16(FP), R8
	MOVQ na+24(FP), R9
	LEAQ (R8)(R9*2), R9
	MOVQ dist+56(FP), DI

query:
	CMPQ         R8, R9
	JAE          done
	MOVWQZX      (R8), BX
	MOVQ         top+48(FP), AX
	VBROADCASTSD (AX)(BX*8), Y10
	IMULQ        R14, BX
	ADDQ         q+0(FP), BX
	MOVQ         rows+32(FP), R10
	MOVQ         nr+40(FP), R11
	IMULQ        R14, R11
	ADDQ         R10, R11
	XORL         CX, CX
	XORL         SI, SI

four:
	LEAQ   (R10)(R14*4), AX
	CMPQ   AX, R11
	JA     one
	LEAQ   (R10)(R14*1), R12
	LEAQ   (R10)(R14*2), R13
	LEAQ   (R12)(R14*2), AX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   DX, DX

fourcol:
	VMOVUPD (BX)(DX*1), Y4
	VSUBPD  (R10)(DX*1), Y4, Y5
	VSUBPD  (R12)(DX*1), Y4, Y6
	VSUBPD  (R13)(DX*1), Y4, Y7
	VSUBPD  (AX)(DX*1), Y4, Y8
	VMULPD  Y5, Y5, Y5
	VMULPD  Y6, Y6, Y6
	VMULPD  Y7, Y7, Y7
	VMULPD  Y8, Y8, Y8
	VADDPD  Y5, Y0, Y0
	VADDPD  Y6, Y1, Y1
	VADDPD  Y7, Y2, Y2
	VADDPD  Y8, Y3, Y3
	ADDQ    $32, DX
	CMPQ    DX, R14
	JB      fourcol
	SUM4x4
	VMOVUPD   Y0, (DI)
	VCMPPD    $2, Y10, Y0, Y1 // dist <= top
	VMOVMSKPD Y1, AX
	SHLL      CX, AX
	ORL       AX, SI
	ADDL      $4, CX
	ADDQ      $32, DI
	LEAQ      (R10)(R14*4), R10
	JMP       four

one:
	CMPQ   R10, R11
	JAE    nextquery
	VXORPD Y0, Y0, Y0
	XORQ   DX, DX

onecol:
	VMOVUPD (BX)(DX*1), Y4
	VSUBPD  (R10)(DX*1), Y4, Y5
	VMULPD  Y5, Y5, Y5
	VADDPD  Y5, Y0, Y0
	ADDQ    $32, DX
	CMPQ    DX, R14
	JB      onecol
	SUM4(Y0, X0, (DI))
	VCMPSD    $2, X10, X0, X1
	VMOVMSKPD X1, AX
	ANDL      $1, AX
	SHLL      CX, AX
	ORL       AX, SI
	INCL      CX
	ADDQ      $8, DI
	ADDQ      R14, R10
	JMP       one

nextquery:
	MOVQ mask+64(FP), AX
	MOVQ R8, DX
	SUBQ active+16(FP), DX // 2a
	MOVL SI, (AX)(DX*2)
	ADDQ $2, R8
	JMP  query

done:
	VZEROUPPER
	RET

// BOXCOL accumulates into Y the squared gaps of the query row at Q to the
// box's columns at DX: v - min(max(v, lo), hi), with lo in Y4 and hi in
// Y5; it uses Y6 and Y7.
#define BOXCOL(Q, Y) \
	VMOVUPD (Q)(DX*2), Y6 \
	VMAXPD  Y4, Y6, Y7    \
	VMINPD  Y5, Y7, Y7    \
	VSUBPD  Y7, Y6, Y7    \
	VMULPD  Y7, Y7, Y7    \
	VADDPD  Y7, Y, Y

// KEEP appends the row number in R to the list at DI when bit B of DX is
// set; it uses SI.
#define KEEP(R, B) \
	MOVW R, (DI)         \
	MOVQ DX, SI          \
	SHRQ $B, SI          \
	ANDQ $1, SI          \
	LEAQ (DI)(SI*2), DI

// func boxFilterAVX(q *float64, dp int, active *uint16, na int, box *float32, top *float64, out *uint16) int
//
// For each query row g = active[a]: Y = Σ over groups of 4 columns of
// (v - min(max(v, lo), hi))², lo and hi the box's float32 bounds
// converted; g is appended to out when SUM4(Y) <= top[g]. Four rows at a
// time share the box's loads and the final additions. Returns the number
// appended.
//
// Registers: R14 a row's bytes, CX the box's columns' bytes (dp*4), R8 the
// next of active, R9 the end of its groups of four, R10 the minima, R11
// the maxima, DI the next of out, DX the column's offset in the box (twice
// that in a row), BX, R12, R13 and AX the query rows (then their numbers).
TEXT ·boxFilterAVX(SB), NOSPLIT, $0-64
	MOVQ dp+8(FP), CX
	MOVQ CX, R14
	SHLQ $3, R14
	SHLQ $2, CX
	MOVQ active+16(FP), R8
	MOVQ na+24(FP), R9
	ANDQ $-4, R9
	LEAQ (R8)(R9*2), R9
	MOVQ box+32(FP), R10
	LEAQ (R10)(CX*1), R11
	MOVQ out+48(FP), DI

bfour:
	CMPQ    R8, R9
	JAE     bone
	MOVQ    q+0(FP), SI
	MOVWQZX (R8), BX
	IMULQ   R14, BX
	ADDQ    SI, BX
	MOVWQZX 2(R8), R12
	IMULQ   R14, R12
	ADDQ    SI, R12
	MOVWQZX 4(R8), R13
	IMULQ   R14, R13
	ADDQ    SI, R13
	MOVWQZX 6(R8), AX
	IMULQ   R14, AX
	ADDQ    SI, AX
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	XORQ    DX, DX

bfourcol:
	VCVTPS2PD (R10)(DX*1), Y4
	VCVTPS2PD (R11)(DX*1), Y5
	BOXCOL(BX, Y0)
	BOXCOL(R12, Y1)
	BOXCOL(R13, Y2)
	BOXCOL(AX, Y3)
	ADDQ      $16, DX
	CMPQ      DX, CX
	JB        bfourcol
	SUM4x4
	MOVQ      top+40(FP), SI
	MOVWQZX   (R8), BX
	MOVWQZX   2(R8), R12
	MOVWQZX   4(R8), R13
	MOVWQZX   6(R8), AX
	VMOVSD    (SI)(BX*8), X4
	VMOVHPD   (SI)(R12*8), X4, X4
	VMOVSD    (SI)(R13*8), X5
	VMOVHPD   (SI)(AX*8), X5, X5
	VINSERTF128 $1, X5, Y4, Y4
	VCMPPD    $2, Y4, Y0, Y1  // dist <= top
	VMOVMSKPD Y1, DX
	KEEP(BX, 0)
	KEEP(R12, 1)
	KEEP(R13, 2)
	KEEP(AX, 3)
	ADDQ      $8, R8
	JMP       bfour

bone:
	MOVQ active+16(FP), R9
	MOVQ na+24(FP), SI
	LEAQ (R9)(SI*2), R9

boneq:
	CMPQ    R8, R9
	JAE     bdone
	MOVWQZX (R8), BX
	IMULQ   R14, BX
	ADDQ    q+0(FP), BX
	VXORPD  Y0, Y0, Y0
	XORQ    DX, DX

bonecol:
	VCVTPS2PD (R10)(DX*1), Y4
	VCVTPS2PD (R11)(DX*1), Y5
	BOXCOL(BX, Y0)
	ADDQ      $16, DX
	CMPQ      DX, CX
	JB        bonecol
	VEXTRACTF128 $1, Y0, X9
	VHADDPD      X9, X0, X0
	VPERMILPD    $1, X0, X9
	VADDSD       X9, X0, X0
	MOVWQZX   (R8), BX
	MOVQ      top+40(FP), SI
	VMOVSD    (SI)(BX*8), X4
	VCMPSD    $2, X4, X0, X1
	VMOVMSKPD X1, DX
	KEEP(BX, 0)
	ADDQ      $2, R8
	JMP       boneq

bdone:
	MOVQ DI, AX
	SUBQ out+48(FP), AX
	SHRQ $1, AX
	MOVQ AX, ret+56(FP)
	VZEROUPPER
	RET
