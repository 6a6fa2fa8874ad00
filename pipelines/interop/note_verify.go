// Verifies mez checkpoints with the Go checksum database's own signed-note package
// (golang.org/x/mod/sumdb/note), as an auditor with only Go's tools would.
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go run note_verify.go KEY.pub CHECKPOINT...
//
// For each checkpoint: note.Open with the verifier key of the .pub file (a C2SP verifier
// key, the format note.NewVerifier reads), then the C2SP checkpoint body (origin, size,
// base64 root); and the same note with one character of its root changed must be refused.
// Prints one JSON object per checkpoint; exits 1 when any did not hold.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type result struct {
	File           string `json:"file"`
	OK             bool   `json:"ok"`
	Error          string `json:"error,omitempty"`
	Origin         string `json:"origin"`
	Size           uint64 `json:"size"`
	Root           string `json:"root"`
	TamperRejected bool   `json:"tamper_rejected"`
}

func check(verifiers note.Verifiers, path string) result {
	r := result{File: path}
	msg, err := os.ReadFile(path)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	n, err := note.Open(msg, verifiers)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		r.Error = "not a checkpoint body"
		return r
	}
	r.Origin = lines[0]
	if r.Size, err = strconv.ParseUint(lines[1], 10, 64); err != nil {
		r.Error = "size: " + err.Error()
		return r
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		r.Error = "root is not 32 bytes of base64"
		return r
	}
	r.Root = hex.EncodeToString(root)
	r.OK = true
	// The same note with its root changed in one character.
	at := len(lines[0]) + 1 + len(lines[1]) + 1
	tampered := []byte(string(msg))
	if tampered[at] == 'A' {
		tampered[at] = 'B'
	} else {
		tampered[at] = 'A'
	}
	_, err = note.Open(tampered, verifiers)
	r.TamperRejected = err != nil
	return r
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: note_verify KEY.pub CHECKPOINT...")
		os.Exit(2)
	}
	vkey, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifier key:", err)
		os.Exit(2)
	}
	verifiers := note.VerifierList(verifier)
	failed := false
	out := json.NewEncoder(os.Stdout)
	for _, path := range os.Args[2:] {
		r := check(verifiers, path)
		failed = failed || !r.OK || !r.TamperRejected
		if err := out.Encode(r); err != nil {
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}
