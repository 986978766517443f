//go:build !linux

package redeem

import "errors"

func runAtNice(int) error { return errors.New("thread priorities are only set on Linux") }

func threadNice() (int, error) { return 0, errors.New("thread priorities are only read on Linux") }
