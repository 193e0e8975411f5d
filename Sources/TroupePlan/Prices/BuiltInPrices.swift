import TroupeManifest

/// The built-in price tables, compiled in so that an installed `troupe` needs no resource
/// bundle beside it (a SwiftPM bundle's path is baked into the binary and is gone once the
/// build folder is). `Sources/TroupePlan/Pricing/*.json` stay the reviewable data files;
/// `BuiltInPricesTests` fails unless each literal here is the same text as its file: edit the
/// JSON file, then paste it here.
enum BuiltInPrices {
    /// The text of `Pricing/<provider>.json`, final newline included.
    static func json(_ provider: ProviderKind) -> String {
        switch provider {
        case .fal:
            #"""
            {
              "provider": "fal",
              "unit": "USD",
              "usd_per_unit": 1,
              "source": "fal-ai/kling-video/v3/{standard,pro}/motion-control, USD per second",
              "render": {
                "kling-v3/std": {"per_second": 0.126},
                "kling-v3/pro": {"per_second": 0.168}
              },
              "element": {}
            }

            """#
        case .kling:
            #"""
            {
              "provider": "kling",
              "unit": "units",
              "usd_per_unit": 0.14,
              "source": "Kling official units per second of output (kling-api.md); 1 unit ≈ $0.14 on standard packs",
              "render": {
                "kling-v3/std": {"per_second": 0.9},
                "kling-v3/pro": {"per_second": 1.2},
                "kling-v2-6/std": {"per_second": 0.5},
                "kling-v2-6/pro": {"per_second": 0.8}
              },
              "element": {}
            }

            """#
        case .preview:
            #"""
            {
              "provider": "preview",
              "unit": "units",
              "usd_per_unit": 0,
              "source": "the embedded preview provider renders locally and costs nothing",
              "render": {
                "kling-v3/std": {},
                "kling-v3/pro": {},
                "kling-v2-6/std": {},
                "kling-v2-6/pro": {}
              },
              "element": {}
            }

            """#
        }
    }
}
