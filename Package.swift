// swift-tools-version:6.0
// dspec: a toolchain for Delivery Specs. No package dependencies: Foundation, the toolchain's
// test libraries and the system libcrypto.so.3 only (see README.md).
import PackageDescription

let package = Package(
    name: "dspec",
    products: [
        .library(name: "DeliverySpec", targets: ["DeliverySpec"]),
        .executable(name: "dspec", targets: ["dspec"]),
    ],
    targets: [
        // The OpenSSL 3 functions DSCrypto calls, declared in our own header (no openssl/*.h, no
        // pkg-config) and linked by soname: libcrypto.so.3 ships with Swift's Linux dependencies,
        // so the OpenSSL development package is not needed. Linux is the supported platform.
        .target(
            name: "CLibCrypto",
            linkerSettings: [
                .linkedLibrary(":libcrypto.so.3", .when(platforms: [.linux])),
                .linkedLibrary("crypto", .when(platforms: [.macOS])),
            ]
        ),

        // epoll(7) for the socket transport: <sys/epoll.h>, which Swift's Glibc module does not export.
        .target(name: "CSystemEpoll"),

        // libcurl loaded on first use rather than at every process start (see include/CLazyCurl.h).
        .target(name: "CLazyCurl"),

        // Byte scans for the template renderer's and the event line scan's hot paths (SSE2 where available, plain C elsewhere).
        .target(name: "CFastScan"),

        // Stage 0: source text, positions and diagnostics shared by every stage.
        .target(name: "DSCore"),
        // Stage 1: source text -> parsed JSON document with positions; JSON values, pointers, writers.
        .target(name: "DSJSON", dependencies: ["DSCore", "CFastScan"]),
        // JSON Schema draft 2020-12: schemas compiled once, validated with exact numbers (pure, no I/O).
        .target(name: "DSSchema", dependencies: ["DSCore", "DSJSON"]),
        // Hashing, HMAC, base64 and RSA signatures over libcrypto.
        .target(name: "DSCrypto", dependencies: ["CLibCrypto"]),
        // Handlebars-compatible template engine, JSON-safe by construction.
        .target(name: "DSTemplate", dependencies: ["DSCore", "DSJSON", "DSCrypto", "CFastScan"]),
        // Declarative field-mapping language (the alternative to templates).
        .target(name: "DSMapping", dependencies: ["DSCore", "DSJSON", "DSTemplate", "DSCrypto"]),
        // Stage 2: parsed document -> typed spec IR (both input forms).
        .target(name: "DSSpec", dependencies: ["DSCore", "DSJSON"]),
        // Stage 3 output type: the executable delivery plan and its canonical JSON form.
        .target(name: "DSPlan", dependencies: ["DSCore", "DSJSON"]),
        // Stage 3: spec IR -> validation rules -> plan.
        .target(name: "DSCompiler", dependencies: ["DSCore", "DSJSON", "DSSpec", "DSPlan", "DSTemplate", "DSMapping", "DSCrypto", "DSSchema"]),
        // Stage 4: plan + events -> the exact HTTP requests (pure, deterministic, no I/O).
        .target(name: "DSRender", dependencies: ["DSCore", "DSJSON", "DSPlan", "DSTemplate", "DSMapping", "DSCrypto"]),
        // Stage 5: the delivery engine (batching, token bucket, retries, OAuth, ledger), pure and
        // clock-driven: no sockets, files, threads or stdout (see DSRuntimePOSIX).
        .target(name: "DSRuntime", dependencies: ["DSCore", "DSJSON", "DSPlan", "DSRender", "DSCrypto"]),
        // The runtime's edge: the socket HTTP client, URLSession, the system clock, the input
        // reader thread, the ledger's files and writer thread, output files (POSIX I/O).
        .target(name: "DSRuntimePOSIX", dependencies: ["DSCore", "DSJSON", "DSRender", "DSRuntime", "DSCrypto", "CSystemEpoll", "CLazyCurl"]),
        // Mock vendor server: a real HTTP/1.1 server on loopback (POSIX sockets) with scripted behaviour and checks.
        .target(name: "DSMock", dependencies: ["DSCore", "DSJSON", "DSPlan", "DSCrypto", "CSystemEpoll"]),
        // Conformance harness: runs the real runtime against the mock vendor and checks expectations.
        .target(name: "DSConformance", dependencies: ["DSCore", "DSJSON", "DSPlan", "DSRender", "DSRuntime", "DSRuntimePOSIX", "DSMock"]),
        // Plan and wire diffs with breaking / risky / safe classification.
        .target(name: "DSDiff", dependencies: ["DSCore", "DSJSON", "DSPlan", "DSRender"]),
        // Language server logic (LSP 3.17): framing, document store, diagnostics as LSP ranges, completion,
        // hover, definition, code actions. Pure: the stdio loop lives in DeliverySpec.
        .target(name: "DSLanguageServer", dependencies: ["DSCore", "DSJSON", "DSCompiler", "DSTemplate"]),
        // Umbrella library: the pipeline facade, drivers and report formats used by the CLI.
        .target(name: "DeliverySpec", dependencies: [
            "DSCore", "DSJSON", "DSSchema", "DSCrypto", "DSTemplate", "DSMapping", "DSSpec", "DSPlan", "DSCompiler", "DSRender", "DSRuntime", "DSRuntimePOSIX", "DSDiff", "DSMock", "DSConformance", "DSLanguageServer",
        ]),
        // Fuzz targets (fuzz/README.md): bytes -> violated properties, for the libFuzzer harness
        // and the corpus replay test. Not part of the library product.
        .target(name: "DSFuzz", dependencies: [
            "DSCore", "DSJSON", "DSSchema", "DSTemplate", "DSMapping", "DSPlan", "DSCompiler", "DSRender", "DSRuntime", "DSRuntimePOSIX", "DSMock", "DeliverySpec",
        ]),
        .executableTarget(name: "dspec", dependencies: ["DeliverySpec"]),
        // Release-build benchmarks: `swift run -c release dspec-bench`.
        .executableTarget(name: "dspec-bench", dependencies: ["DeliverySpec", "DSSchema"]),

        .testTarget(name: "DSJSONTests", dependencies: ["DSJSON"]),
        .testTarget(name: "DSSchemaTests", dependencies: ["DSSchema", "DSJSON"], exclude: ["Fixtures"]),
        .testTarget(name: "DSCryptoTests", dependencies: ["DSCrypto"]),
        .testTarget(name: "DSTemplateTests", dependencies: ["DSTemplate", "DSMapping", "DSJSON", "DSCore"], exclude: ["Fixtures"]),
        .testTarget(name: "DSCompilerTests", dependencies: ["DSCompiler", "DSSpec", "DSPlan", "DSJSON", "DSCore"]),
        .testTarget(name: "DSRenderTests", dependencies: ["DSRender", "DSCompiler", "DSPlan", "DSJSON", "DSCrypto"]),
        .testTarget(name: "DSRuntimeTests", dependencies: ["DSRuntime", "DSRuntimePOSIX", "DSRender", "DSCompiler", "DSPlan", "DSJSON"]),
        .testTarget(name: "DSDiffTests", dependencies: ["DSDiff", "DSCompiler", "DSPlan", "DSJSON", "DeliverySpec"]),
        .testTarget(name: "DSMockTests", dependencies: ["DSMock", "DSJSON", "DSCrypto", "DSPlan"]),
        .testTarget(name: "DSConformanceTests", dependencies: ["DSConformance", "DeliverySpec"]),
        .testTarget(name: "DeliverySpecTests", dependencies: ["DeliverySpec"]),
        .testTarget(name: "DSLanguageServerTests", dependencies: ["DSLanguageServer", "DeliverySpec"]),
        .testTarget(name: "DSFuzzTests", dependencies: ["DSFuzz"]),
    ]
)

// FoundationNetworking (URLSession, for https) makes the compiler autolink `-lcurl` into every
// module that imports it, even indirectly: the dynamic loader then maps libcurl and the 27
// libraries it needs before main in every dspec process (about 3 ms; `dspec lint DIR` takes
// ~70 ms). CLazyCurl supplies the libcurl functions and loads the library on first use instead.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-Xfrontend", "-disable-autolink-library", "-Xfrontend", "curl"], .when(platforms: [.linux])),
    ]
}
