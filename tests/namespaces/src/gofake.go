// A Go program for the namespace backend's tests.  Go makes its own
// system calls and, with netgo, resolves names itself from /etc/hosts:
// LD_PRELOAD reaches none of it.
//
//	gofake lookup NAME          print NAME's addresses
//	gofake serve HOST:PORT      resolve HOST, listen there, answer each
//	                            connection with "go <hostname> <HOST's address>"
//	gofake get HOST:PORT        connect (resolving HOST) and print the answer
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gofake lookup|serve|get ARG")
		os.Exit(2)
	}
	resolver := &net.Resolver{PreferGo: true}
	switch os.Args[1] {
	case "lookup":
		addrs, err := resolver.LookupHost(context.Background(), os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(strings.Join(addrs, " "))
	case "serve":
		ln, err := net.Listen("tcp", os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		name, _ := os.Hostname()
		fmt.Fprintln(os.Stderr, "listening on", ln.Addr())
		for {
			c, err := ln.Accept()
			if err != nil {
				continue
			}
			fmt.Fprintf(c, "go %s %s from %s\n", name, ln.Addr(), c.RemoteAddr())
			c.Close()
		}
	case "get":
		c, err := net.Dial("tcp", os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out, _ := io.ReadAll(c)
		fmt.Print(string(out))
	}
}
