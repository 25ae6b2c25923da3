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

// func rowDistsAVX(q *float64, dp int, active *uint16, na int, rows *float64, nr int, out *float64)
//
// For each query row g = active[a] (q + g*dp) and each of the nr rows r:
// Y = Σ over groups of 4 columns of (q - row)², out[a*nr + r] = SUM4(Y).
// Four rows at a time share the query's loads.
TEXT ·rowDistsAVX(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ dp+8(FP), CX
	SHLQ $3, CX            // a row's bytes
	MOVQ active+16(FP), R8
	MOVQ na+24(FP), R9
	LEAQ (R8)(R9*2), R9    // end of active
	MOVQ out+48(FP), DI

query:
	CMPQ    R8, R9
	JAE     done
	MOVWQZX (R8), BX
	IMULQ   CX, BX
	ADDQ    SI, BX         // the query row
	MOVQ    rows+32(FP), R10
	MOVQ    nr+40(FP), R11

four:
	CMPQ   R11, $4
	JB     one
	LEAQ   (R10)(CX*1), R12 // rows 1, 2, 3
	LEAQ   (R10)(CX*2), R13
	LEAQ   (R12)(CX*2), AX
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
	CMPQ    DX, CX
	JB      fourcol
	SUM4(Y0, X0, (DI))
	SUM4(Y1, X1, 8(DI))
	SUM4(Y2, X2, 16(DI))
	SUM4(Y3, X3, 24(DI))
	ADDQ    $32, DI
	LEAQ    (R10)(CX*4), R10
	SUBQ    $4, R11
	JMP     four

one:
	TESTQ  R11, R11
	JE     nextquery
	VXORPD Y0, Y0, Y0
	XORQ   DX, DX

onecol:
	VMOVUPD (BX)(DX*1), Y4
	VSUBPD  (R10)(DX*1), Y4, Y5
	VMULPD  Y5, Y5, Y5
	VADDPD  Y5, Y0, Y0
	ADDQ    $32, DX
	CMPQ    DX, CX
	JB      onecol
	SUM4(Y0, X0, (DI))
	ADDQ    $8, DI
	ADDQ    CX, R10
	DECQ    R11
	JMP     one

nextquery:
	ADDQ $2, R8
	JMP  query

done:
	VZEROUPPER
	RET

// func boxDistsAVX(q *float64, dp int, active *uint16, na int, box *float32, out *float64)
//
// For each query row g = active[a]: Y = Σ over groups of 4 columns of
// max(lo - v, v - hi, 0)², lo and hi the box's float32 bounds converted,
// out[a] = SUM4(Y).
TEXT ·boxDistsAVX(SB), NOSPLIT, $0-48
	MOVQ   q+0(FP), SI
	MOVQ   dp+8(FP), CX
	MOVQ   active+16(FP), R8
	MOVQ   na+24(FP), R9
	LEAQ   (R8)(R9*2), R9
	MOVQ   box+32(FP), R10  // the minima
	LEAQ   (R10)(CX*4), R11 // the maxima
	MOVQ   out+40(FP), DI
	SHLQ   $3, CX           // a row's bytes
	VXORPD Y7, Y7, Y7

bquery:
	CMPQ    R8, R9
	JAE     bdone
	MOVWQZX (R8), BX
	IMULQ   CX, BX
	ADDQ    SI, BX
	VXORPD  Y0, Y0, Y0
	XORQ    DX, DX           // the column's offset in the row
	XORQ    R12, R12         // and in the box

bcol:
	VMOVUPD   (BX)(DX*1), Y4
	VCVTPS2PD (R10)(R12*1), Y1
	VCVTPS2PD (R11)(R12*1), Y2
	VSUBPD    Y4, Y1, Y1       // lo - v
	VSUBPD    Y2, Y4, Y2       // v - hi
	VMAXPD    Y2, Y1, Y1
	VMAXPD    Y7, Y1, Y1
	VMULPD    Y1, Y1, Y1
	VADDPD    Y1, Y0, Y0
	ADDQ      $32, DX
	ADDQ      $16, R12
	CMPQ      DX, CX
	JB        bcol
	SUM4(Y0, X0, (DI))
	ADDQ      $8, DI
	ADDQ      $2, R8
	JMP       bquery

bdone:
	VZEROUPPER
	RET
