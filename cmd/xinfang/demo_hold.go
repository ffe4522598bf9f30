package main

import (
	"context"
	"errors"
	"io"
)

func demoCmd(context.Context, []string, io.Writer, io.Writer) error { return errors.New("pending") }
