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

// func histRowsAVX(hs *bin, refs *featRef, nrefs int, rowBins *uint8, d int, idx *uint32, n int, gp *gpair)
//
// Four rows at a time (i0..i3 = idx[k..k+3]): Y0..Y3 = float64 {g, h, 1, 0}
// of each row (its gpair's two float32 with 1 and 0 beside them, converted
// exactly by VCVTPS2PD); then for each feature {col, off} of refs, for each
// of the four rows in order, the bin b = rowBins[i*d+col] gets
// hs[off/32 + b] += Y (VADDPD: lane by lane the scalar additions). The
// features are taken four at a time, their updates interleaved (row 0 of
// the four features, then row 1, ...: a feature's rows still in order), so
// that updates of one bin, frequent in a skewed feature, are not back to
// back; the features left over go one at a time.
TEXT ·histRowsAVX(SB), NOSPLIT, $16-64
	MOVQ hs+0(FP), DI
	MOVQ idx+40(FP), R8
	MOVQ n+48(FP), R9
	LEAQ (R8)(R9*4), R9
	MOVQ R9, end-8(SP)     // end of the rows
	MOVQ refs+8(FP), R10
	MOVQ nrefs+16(FP), R11
	LEAQ (R10)(R11*8), R9
	MOVQ R9, rend-16(SP)   // end of the features
	ANDQ $~3, R11
	LEAQ (R10)(R11*8), R11 // end of the fours of features

	// X15 = float32 {0, 0, 1, 0}
	MOVL    $0x3f800000, AX
	VMOVQ   AX, X15
	VPSLLDQ $8, X15, X15

block:
	CMPQ      R8, end-8(SP)
	JAE       done
	MOVQ      gp+56(FP), R12
	MOVL      (R8), AX
	MOVL      4(R8), BX
	MOVL      8(R8), CX
	MOVL      12(R8), DX
	VMOVSD    (R12)(AX*8), X0
	VORPS     X15, X0, X0
	VCVTPS2PD X0, Y0
	VMOVSD    (R12)(BX*8), X1
	VORPS     X15, X1, X1
	VCVTPS2PD X1, Y1
	VMOVSD    (R12)(CX*8), X2
	VORPS     X15, X2, X2
	VCVTPS2PD X2, Y2
	VMOVSD    (R12)(DX*8), X3
	VORPS     X15, X3, X3
	VCVTPS2PD X3, Y3
	MOVQ      d+32(FP), R12
	IMULQ     R12, AX
	IMULQ     R12, BX
	IMULQ     R12, CX
	IMULQ     R12, DX
	MOVQ      rowBins+24(FP), R12
	ADDQ      R12, AX          // the rows' bins
	ADDQ      R12, BX
	ADDQ      R12, CX
	ADDQ      R12, DX
	MOVQ      R10, R13
	CMPQ      R13, R11
	JAE       rest

four:
	MOVL (R13), R14            // the four features' columns (their offsets
	MOVL 8(R13), R15           // are added from refs below)
	MOVL 16(R13), SI
	MOVL 24(R13), R9
	MOVBQZX (AX)(R14*1), R12
	SHLQ    $5, R12
	ADDL    4(R13), R12
	VADDPD  (DI)(R12*1), Y0, Y4
	VMOVUPD Y4, (DI)(R12*1)
	MOVBQZX (AX)(R15*1), R12
	SHLQ    $5, R12
	ADDL    12(R13), R12
	VADDPD  (DI)(R12*1), Y0, Y5
	VMOVUPD Y5, (DI)(R12*1)
	MOVBQZX (AX)(SI*1), R12
	SHLQ    $5, R12
	ADDL    20(R13), R12
	VADDPD  (DI)(R12*1), Y0, Y6
	VMOVUPD Y6, (DI)(R12*1)
	MOVBQZX (AX)(R9*1), R12
	SHLQ    $5, R12
	ADDL    28(R13), R12
	VADDPD  (DI)(R12*1), Y0, Y7
	VMOVUPD Y7, (DI)(R12*1)
	MOVBQZX (BX)(R14*1), R12
	SHLQ    $5, R12
	ADDL    4(R13), R12
	VADDPD  (DI)(R12*1), Y1, Y8
	VMOVUPD Y8, (DI)(R12*1)
	MOVBQZX (BX)(R15*1), R12
	SHLQ    $5, R12
	ADDL    12(R13), R12
	VADDPD  (DI)(R12*1), Y1, Y9
	VMOVUPD Y9, (DI)(R12*1)
	MOVBQZX (BX)(SI*1), R12
	SHLQ    $5, R12
	ADDL    20(R13), R12
	VADDPD  (DI)(R12*1), Y1, Y10
	VMOVUPD Y10, (DI)(R12*1)
	MOVBQZX (BX)(R9*1), R12
	SHLQ    $5, R12
	ADDL    28(R13), R12
	VADDPD  (DI)(R12*1), Y1, Y11
	VMOVUPD Y11, (DI)(R12*1)
	MOVBQZX (CX)(R14*1), R12
	SHLQ    $5, R12
	ADDL    4(R13), R12
	VADDPD  (DI)(R12*1), Y2, Y4
	VMOVUPD Y4, (DI)(R12*1)
	MOVBQZX (CX)(R15*1), R12
	SHLQ    $5, R12
	ADDL    12(R13), R12
	VADDPD  (DI)(R12*1), Y2, Y5
	VMOVUPD Y5, (DI)(R12*1)
	MOVBQZX (CX)(SI*1), R12
	SHLQ    $5, R12
	ADDL    20(R13), R12
	VADDPD  (DI)(R12*1), Y2, Y6
	VMOVUPD Y6, (DI)(R12*1)
	MOVBQZX (CX)(R9*1), R12
	SHLQ    $5, R12
	ADDL    28(R13), R12
	VADDPD  (DI)(R12*1), Y2, Y7
	VMOVUPD Y7, (DI)(R12*1)
	MOVBQZX (DX)(R14*1), R12
	SHLQ    $5, R12
	ADDL    4(R13), R12
	VADDPD  (DI)(R12*1), Y3, Y8
	VMOVUPD Y8, (DI)(R12*1)
	MOVBQZX (DX)(R15*1), R12
	SHLQ    $5, R12
	ADDL    12(R13), R12
	VADDPD  (DI)(R12*1), Y3, Y9
	VMOVUPD Y9, (DI)(R12*1)
	MOVBQZX (DX)(SI*1), R12
	SHLQ    $5, R12
	ADDL    20(R13), R12
	VADDPD  (DI)(R12*1), Y3, Y10
	VMOVUPD Y10, (DI)(R12*1)
	MOVBQZX (DX)(R9*1), R12
	SHLQ    $5, R12
	ADDL    28(R13), R12
	VADDPD  (DI)(R12*1), Y3, Y11
	VMOVUPD Y11, (DI)(R12*1)
	ADDQ    $32, R13
	CMPQ    R13, R11
	JB      four

rest:
	CMPQ    R13, rend-16(SP)
	JAE     next
	MOVL    (R13), R14
	MOVL    4(R13), R15
	ADDQ    DI, R15
	MOVBQZX (AX)(R14*1), R12
	SHLQ    $5, R12
	VADDPD  (R15)(R12*1), Y0, Y4
	VMOVUPD Y4, (R15)(R12*1)
	MOVBQZX (BX)(R14*1), R12
	SHLQ    $5, R12
	VADDPD  (R15)(R12*1), Y1, Y5
	VMOVUPD Y5, (R15)(R12*1)
	MOVBQZX (CX)(R14*1), R12
	SHLQ    $5, R12
	VADDPD  (R15)(R12*1), Y2, Y6
	VMOVUPD Y6, (R15)(R12*1)
	MOVBQZX (DX)(R14*1), R12
	SHLQ    $5, R12
	VADDPD  (R15)(R12*1), Y3, Y7
	VMOVUPD Y7, (R15)(R12*1)
	ADDQ    $8, R13
	JMP     rest

next:
	ADDQ $16, R8
	JMP  block

done:
	VZEROUPPER
	RET
