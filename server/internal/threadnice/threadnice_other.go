//go:build !linux

package threadnice

import "errors"

func RunAtNice(int) error { return errors.New("thread priorities are only set on Linux") }

func Nice() (int, error) { return 0, errors.New("thread priorities are only read on Linux") }
