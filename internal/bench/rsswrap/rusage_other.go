//go:build !unix

package main

import (
	"errors"
	"os"
)

func maxRSSKiB(*os.ProcessState) (int64, error) {
	return 0, errors.New("peak RSS is only measured on Unix")
}
