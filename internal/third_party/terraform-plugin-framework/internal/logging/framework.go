// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

package logging

import (
	"context"
	"os"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

const (
	// SubsystemFramework is the tfsdklog subsystem name for framework.
	SubsystemFramework = "framework"
)

// FrameworkDebug emits a framework subsystem log at DEBUG level.
func FrameworkDebug(ctx context.Context, msg string, additionalFields ...map[string]interface{}) {
	tfsdklog.SubsystemDebug(ctx, SubsystemFramework, msg, additionalFields...)
}

// FrameworkError emits a framework subsystem log at ERROR level.
func FrameworkError(ctx context.Context, msg string, additionalFields ...map[string]interface{}) {
	tfsdklog.SubsystemError(ctx, SubsystemFramework, msg, additionalFields...)
}

// FrameworkTrace emits a framework subsystem log at TRACE level.
func FrameworkTrace(ctx context.Context, msg string, additionalFields ...map[string]interface{}) {
	tfsdklog.SubsystemTrace(ctx, SubsystemFramework, msg, additionalFields...)
}

// FrameworkWarn emits a framework subsystem log at WARN level.
func FrameworkWarn(ctx context.Context, msg string, additionalFields ...map[string]interface{}) {
	tfsdklog.SubsystemWarn(ctx, SubsystemFramework, msg, additionalFields...)
}

// FrameworkWithAttributePath returns a new Context with KeyAttributePath set.
// The attribute path is expected to be string, so the logging package does not
// need to import path handling code.
func FrameworkWithAttributePath(ctx context.Context, attributePath string) context.Context {
	ctx = tfsdklog.SubsystemSetField(ctx, SubsystemFramework, KeyAttributePath, attributePath)
	return ctx
}

// frameworkOff reports TF_LOG_SDK_FRAMEWORK=off, under which the framework subsystem logs nothing.
// (Patched: see the README of this copy.)
var frameworkOff = sync.OnceValue(func() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("TF_LOG_SDK_FRAMEWORK")), "off")
})

// FrameworkOff reports TF_LOG_SDK_FRAMEWORK=off, for callers that would do work only to log it.
func FrameworkOff() bool { return frameworkOff() }

// FrameworkWithAttributePathOf is FrameworkWithAttributePath for a path not yet made a string:
// with framework logging off it returns ctx as it is, saving the string and the logger copy that
// were built for every attribute of every element of a large collection.
func FrameworkWithAttributePathOf(ctx context.Context, attributePath interface{ String() string }) context.Context {
	if frameworkOff() {
		return ctx
	}
	return FrameworkWithAttributePath(ctx, attributePath.String())
}
