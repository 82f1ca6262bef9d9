// The DeliverySpec library product: one import gives a host application every stage of
// the pipeline (see docs/architecture.md), plus the drivers the CLI is built from.
@_exported import DSCompiler
@_exported import DSCore
@_exported import DSCrypto
@_exported import DSJSON
@_exported import DSSchema
@_exported import DSMapping
@_exported import DSPlan
@_exported import DSSpec
@_exported import DSTemplate
@_exported import DSRender
@_exported import DSRuntime
@_exported import DSRuntimePOSIX
@_exported import DSDiff
@_exported import DSMock
@_exported import DSConformance
@_exported import DSLanguageServer
