package project

import (
	"testing"
)

func TestHeaderDir(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		want   string
		wantOK bool
	}{
		{"this project's header", "# user-secrets: local development secrets\n# Project: /src/app\n# USER_SECRETS_ID: x\nA=1\n", "/src/app", true},
		{"python-env-secrets' header", "# Python User Secrets\n# Project: /src/app/sub\n\nA=1\n", "/src/app/sub", true},
		{"python's working directory", "# Python Env Secrets\n# Project: .\nA=1\n", ".", true},
		{"CRLF", "# h\r\n# Project: C:\\src\\app\r\nA=1\r\n", `C:\src\app`, true},
		{"lone CR", "# h\r# Project: /a\rA=1\r", "/a", true},
		{"BOM", "\ufeff# Project: /a\n", "/a", true},
		{"blanks around", "\n  # Project:   /a b  \nA=1\n", "/a b", true},
		{"quoted with a line break", "# Project: \"/a\\nb\"\n", "/a\nb", true},
		{"the first line wins", "# Project: /new\n# Python User Secrets\n# Project: /old\n", "/new", true},
		{"after a definition: not the header", "A=1\n# Project: /a\n", "", false},
		{"none", "# just a comment\nA=1\n", "", false},
		{"empty value", "# Project:\nA=1\n", "", false},
		{"empty file", "", "", false},
		{"a value is never read", "# h\nPROJECT=# Project: /a\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, start, end, ok := HeaderDir([]byte(tt.data))
			if dir != tt.want || ok != tt.wantOK {
				t.Fatalf("HeaderDir(%q) = %q, %v; want %q, %v", tt.data, dir, ok, tt.want, tt.wantOK)
			}
			if ok && FormatHeaderDir(dir) != tt.data[start:end] {
				t.Errorf("HeaderDir(%q): [%d:%d] = %q, want the directory's text %q", tt.data, start, end, tt.data[start:end], FormatHeaderDir(dir))
			}
		})
	}
}

func TestSetHeaderDir(t *testing.T) {
	tests := []struct {
		name, data, dir, want string
	}{
		{"replaced", "# h\n# Project: /old\n# ID\nA=1\n", "/new", "# h\n# Project: /new\n# ID\nA=1\n"},
		{"CRLF kept", "# h\r\n# Project: /old\r\nA=1\r\n", "/new path", "# h\r\n# Project: /new path\r\nA=1\r\n"},
		{"trailing blanks kept", "# Project: /old  \n", "/n", "# Project: /n  \n"},
		{"a line break is quoted", "# Project: /old\n", "/a\nb", "# Project: \"/a\\nb\"\n"},
		{"no line: unchanged", "# h\nA=1\n", "/new", "# h\nA=1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(SetHeaderDir([]byte(tt.data), tt.dir))
			if got != tt.want {
				t.Errorf("SetHeaderDir(%q, %q) = %q, want %q", tt.data, tt.dir, got, tt.want)
			}
			if dir, _, _, ok := HeaderDir([]byte(got)); ok && dir != tt.dir {
				t.Errorf("HeaderDir(SetHeaderDir(…, %q)) = %q", tt.dir, dir)
			}
		})
	}
}
