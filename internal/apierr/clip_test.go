package apierr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	if got := Clip("short"); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	long := strings.Repeat("é", 100) // two bytes each: byte 64 is a rune start, 63 is not
	got := Clip("x" + long)
	if !utf8.ValidString(got) || len(got) > 64+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("Clip of 201 bytes = %q (%d bytes), want valid UTF-8 of at most 64 bytes and an ellipsis", got, len(got))
	}
}
