package half

import (
	"math"
	"testing"
)

// refF16 computes a half's value from the IEEE 754 definition.
func refF16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, mant := int(h>>10)&0x1f, float64(h&0x3ff)
	switch {
	case exp == 0x1f && mant == 0:
		return math.Inf(int(sign))
	case exp == 0x1f:
		return math.NaN()
	case exp == 0:
		return sign * math.Ldexp(mant, -24)
	}
	return sign * math.Ldexp(1024+mant, exp-25)
}

func TestDecodeF16Exhaustive(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got, want := F16ToF32(h), refF16(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("F16ToF32(%#04x) = %v, want NaN", h, got)
			}
			if F32ToF16(got)&0x7c00 != 0x7c00 || F32ToF16(got)&0x3ff == 0 {
				t.Fatalf("F32ToF16(NaN from %#04x) = %#04x, not a NaN", h, F32ToF16(got))
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %v, want %v", h, got, want)
		}
		if back := F32ToF16(got); back != h {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, back)
		}
	}
}

// TestEncodeF16Rounding checks round-to-nearest-even at every midpoint
// between adjacent positive halves (midpoints are exact in float32).
func TestEncodeF16Rounding(t *testing.T) {
	for h := uint16(0); h < 0x7bff; h++ {
		lo, hi := F16ToF32(h), F16ToF32(h+1)
		mid := float32((float64(lo) + float64(hi)) / 2)
		even := h
		if h&1 == 1 {
			even = h + 1
		}
		cases := []struct {
			f    float32
			want uint16
		}{
			{mid, even},
			{math.Nextafter32(mid, 0), h},
			{math.Nextafter32(mid, float32(math.Inf(1))), h + 1},
			{-mid, even | 0x8000},
		}
		for _, c := range cases {
			if got := F32ToF16(c.f); got != c.want {
				t.Fatalf("F32ToF16(%g) = %#04x, want %#04x (between %#04x and %#04x)", c.f, got, c.want, h, h+1)
			}
		}
	}
	if got := F32ToF16(65519.996); got != 0x7bff {
		t.Errorf("F32ToF16(65519.996) = %#04x, want max half 0x7bff", got)
	}
	if got := F32ToF16(65520); got != 0x7c00 {
		t.Errorf("F32ToF16(65520) = %#04x, want +Inf (tie rounds to even)", got)
	}
	if got := F32ToF16(70000); got != 0x7c00 {
		t.Errorf("F32ToF16(70000) = %#04x, want +Inf", got)
	}
	if got := F32ToF16(1e-10); got != 0 {
		t.Errorf("F32ToF16(1e-10) = %#04x, want 0", got)
	}
}

func TestBF16(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := BF16ToF32(h)
		if math.Float32bits(f) != uint32(h)<<16 {
			t.Fatalf("BF16ToF32(%#04x) bits = %#08x", h, math.Float32bits(f))
		}
		if math.IsNaN(float64(f)) {
			if back := F32ToBF16(f); !math.IsNaN(float64(BF16ToF32(back))) {
				t.Fatalf("F32ToBF16(NaN %#04x) = %#04x, not NaN", h, back)
			}
			continue
		}
		if back := F32ToBF16(f); back != h {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, back)
		}
	}
	cases := []struct {
		bits uint32
		want uint16
	}{
		{0x3f808000, 0x3f80}, // tie, even stays
		{0x3f818000, 0x3f82}, // tie, odd rounds up
		{0x3f808001, 0x3f81}, // above tie
		{0x3f807fff, 0x3f80}, // below tie
		{0x7f7fffff, 0x7f80}, // max float rounds to +Inf
		{0x7f800001, 0x7fc0}, // signalling NaN stays NaN
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.want)
		}
	}
}
