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
