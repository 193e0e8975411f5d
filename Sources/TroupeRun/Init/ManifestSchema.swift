// The manifest's JSON schema, compiled in so `troupe init` can write a copy into a new project
// (`.troupe-schema/manifest.schema.json`) that an editor loads offline. Generated from
// schemas/manifest.schema.json by scripts/embed-schema.sh; a test checks the two are the same.

extension ExampleProject {
    public static let manifestSchema = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://troupe.dev/schemas/manifest.schema.json",
  "title": "troupe manifest (format 1)",
  "description": "A batch of Kling Motion Control renders: characters × clips, plus local post-steps. Paths are relative to the manifest's folder.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "troupe",
    "name",
    "characters",
    "clips",
    "renders"
  ],
  "properties": {
    "troupe": {
      "const": 1,
      "description": "Manifest format version."
    },
    "name": {
      "type": "string",
      "pattern": "^[a-z0-9][a-z0-9-]{0,62}$",
      "description": "Campaign name: used in output names and external task ids."
    },
    "provider": {
      "$ref": "#/$defs/provider"
    },
    "budget": {
      "type": "object",
      "description": "Spending limits: plan and run refuse to spend above max_units.",
      "additionalProperties": false,
      "properties": {
        "max_units": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Most units the plan may cost."
        },
        "usd_per_unit": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Shown beside units."
        }
      }
    },
    "uploads": {
      "type": "object",
      "description": "Where local media go so a remote provider can fetch them.",
      "additionalProperties": false,
      "properties": {
        "s3": {
          "type": "object",
          "description": "An S3 or S3-compatible bucket; objects are keyed by content digest.",
          "additionalProperties": false,
          "properties": {
            "bucket": {
              "type": "string",
              "description": "Bucket name."
            },
            "prefix": {
              "type": "string",
              "description": "Key prefix, e.g. troupe/."
            },
            "region": {
              "type": "string",
              "description": "Signing region (default us-east-1)."
            },
            "endpoint": {
              "type": "string",
              "pattern": "^https?://",
              "description": "Custom endpoint (MinIO, R2, moto); path-style URLs; plain http only on loopback."
            },
            "expires": {
              "type": "string",
              "pattern": "^[0-9]+[smhd]?$",
              "description": "Lifetime of presigned URLs, up to 7d, e.g. 24h."
            }
          },
          "required": [
            "bucket"
          ]
        }
      },
      "required": [
        "s3"
      ]
    },
    "defaults": {
      "type": "object",
      "description": "Render settings of every cell unless a block overrides them.",
      "additionalProperties": false,
      "properties": {
        "orientation": {
          "enum": [
            "image",
            "video"
          ],
          "description": "image: output follows the image's framing, clip ≤ 10 s; video: clip ≤ 30 s. Elements need video."
        },
        "keep_sound": {
          "type": "boolean",
          "description": "Keep the reference clip's sound in the render."
        },
        "prompt": {
          "type": "string",
          "maxLength": 2500,
          "description": "Text prompt, at most 2500 characters."
        },
        "watermark": {
          "type": "boolean",
          "description": "Ask the provider for a watermarked result."
        }
      }
    },
    "elements": {
      "type": "object",
      "description": "Shared identities: each element is created once and pinned in troupe.lock.",
      "propertyNames": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"
      },
      "additionalProperties": {
        "$ref": "#/$defs/element"
      }
    },
    "characters": {
      "type": "object",
      "description": "A still image per character.",
      "propertyNames": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"
      },
      "additionalProperties": {
        "$ref": "#/$defs/character"
      }
    },
    "clips": {
      "type": "object",
      "description": "Motion reference videos.",
      "propertyNames": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"
      },
      "additionalProperties": {
        "$ref": "#/$defs/clip"
      }
    },
    "renders": {
      "type": "array",
      "minItems": 1,
      "description": "Blocks of the character × clip matrix; a cell may appear in one block only.",
      "items": {
        "$ref": "#/$defs/renderBlock"
      }
    },
    "outputs": {
      "type": "array",
      "description": "Local post-steps: concatenate renders and outputs, optionally trim.",
      "items": {
        "$ref": "#/$defs/output"
      }
    },
    "pricing": {
      "type": "object",
      "additionalProperties": false,
      "description": "Contract rates that replace the provider's built-in price table (e.g. a reseller's credits).",
      "properties": {
        "unit": {
          "type": "string",
          "description": "Name of the unit prices are in, e.g. credits."
        },
        "render": {
          "type": "object",
          "description": "Render prices by model/mode.",
          "propertyNames": {
            "pattern": "^(kling-v3|kling-v2-6)/(std|pro)$"
          },
          "additionalProperties": {
            "$ref": "#/$defs/rate"
          }
        },
        "element": {
          "$ref": "#/$defs/rate",
          "description": "Price of creating an element (0 unless set)."
        }
      }
    }
  },
  "$defs": {
    "provider": {
      "type": "object",
      "description": "Which API renders the cells, and the account's limits. Default: preview.",
      "additionalProperties": false,
      "properties": {
        "use": {
          "enum": [
            "kling",
            "fal",
            "preview"
          ],
          "description": "kling (official API), fal (queue API) or preview (local, free, offline)."
        },
        "model": {
          "enum": [
            "kling-v3",
            "kling-v2-6"
          ],
          "description": "Kling model."
        },
        "mode": {
          "enum": [
            "std",
            "pro"
          ],
          "description": "std renders 720p, pro 1080p."
        },
        "region": {
          "enum": [
            "singapore",
            "beijing",
            "global"
          ],
          "description": "Kling API host."
        },
        "concurrency": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "description": "The account's parallel-task limit."
        },
        "rate": {
          "type": "string",
          "pattern": "^[0-9.]+/(s|sec|second|m|min|minute|h|hour)$",
          "description": "Ceiling on create calls, e.g. 2/s."
        }
      }
    },
    "patterns": {
      "oneOf": [
        {
          "type": "string"
        },
        {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      ],
      "description": "Names or glob patterns (*, ?)."
    },
    "with": {
      "type": "object",
      "description": "Overrides for the cells of this block.",
      "additionalProperties": false,
      "properties": {
        "model": {
          "enum": [
            "kling-v3",
            "kling-v2-6"
          ],
          "description": "Kling model."
        },
        "mode": {
          "enum": [
            "std",
            "pro"
          ],
          "description": "std renders 720p, pro 1080p."
        },
        "orientation": {
          "enum": [
            "image",
            "video"
          ],
          "description": "image: output follows the image's framing, clip ≤ 10 s; video: clip ≤ 30 s. Elements need video."
        },
        "keep_sound": {
          "type": "boolean",
          "description": "Keep the reference clip's sound in the render."
        },
        "prompt": {
          "type": "string",
          "maxLength": 2500,
          "description": "Text prompt, at most 2500 characters."
        },
        "watermark": {
          "type": "boolean",
          "description": "Ask the provider for a watermarked result."
        }
      }
    },
    "renderBlock": {
      "type": "object",
      "description": "A block of the matrix: these characters × these clips, minus exclusions.",
      "additionalProperties": false,
      "properties": {
        "characters": {
          "$ref": "#/$defs/patterns"
        },
        "clips": {
          "$ref": "#/$defs/patterns"
        },
        "exclude": {
          "type": "array",
          "items": {
            "type": "object",
            "description": "Cells to leave out; an entry matches on the keys it gives.",
            "additionalProperties": false,
            "properties": {
              "character": {
                "type": "string",
                "description": "Character name or pattern."
              },
              "clip": {
                "type": "string",
                "description": "Clip name or pattern."
              }
            }
          },
          "description": "Cells to leave out."
        },
        "with": {
          "$ref": "#/$defs/with"
        }
      },
      "required": [
        "characters",
        "clips"
      ]
    },
    "element": {
      "type": "object",
      "description": "An identity shared by characters: from a 3–8 s reference video, or an existing element id.",
      "additionalProperties": false,
      "properties": {
        "from_video": {
          "type": "string",
          "description": "Local path or URL of a 3–8 s mp4/mov turnaround."
        },
        "sha256": {
          "type": "string",
          "pattern": "^[0-9a-fA-F]{64}$",
          "description": "SHA-256 of the file's bytes, hex. Required for URL media: it is the medium's identity."
        },
        "duration": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Seconds; required for a URL video."
        },
        "description": {
          "type": "string",
          "maxLength": 100,
          "description": "What the element is."
        },
        "id": {
          "type": "integer",
          "description": "An element that already exists at the provider."
        }
      }
    },
    "character": {
      "type": "object",
      "description": "A character: a still image, optionally bound to an element.",
      "additionalProperties": false,
      "properties": {
        "image": {
          "type": "string",
          "pattern": "(?i)\\.(jpe?g|png)([?#].*)?$",
          "description": "Local path or URL of a jpg/jpeg/png image."
        },
        "element": {
          "type": "string",
          "pattern": "^[a-z0-9][a-z0-9-]{0,62}$",
          "description": "Name of an element under elements."
        },
        "sha256": {
          "type": "string",
          "pattern": "^[0-9a-fA-F]{64}$",
          "description": "SHA-256 of the file's bytes, hex. Required for URL media: it is the medium's identity."
        }
      },
      "required": [
        "image"
      ]
    },
    "clip": {
      "type": "object",
      "description": "A motion reference clip.",
      "additionalProperties": false,
      "properties": {
        "video": {
          "type": "string",
          "pattern": "(?i)\\.(mp4|mov)([?#].*)?$",
          "description": "Local path or URL of an mp4/mov video."
        },
        "trim": {
          "type": "array",
          "prefixItems": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "type": "number",
              "exclusiveMinimum": 0
            }
          ],
          "minItems": 2,
          "maxItems": 2,
          "description": "[start, end] in seconds, start < end."
        },
        "sha256": {
          "type": "string",
          "pattern": "^[0-9a-fA-F]{64}$",
          "description": "SHA-256 of the file's bytes, hex. Required for URL media: it is the medium's identity."
        },
        "duration": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Seconds; required for a URL video (it sets the price)."
        },
        "conform": {
          "type": "boolean",
          "description": "Scale the clip into the provider's size limits before rendering."
        }
      },
      "required": [
        "video"
      ]
    },
    "output": {
      "type": "object",
      "description": "A local post-step. {character} or {clip} in the name makes one output per character or clip.",
      "additionalProperties": false,
      "properties": {
        "name": {
          "type": "string",
          "pattern": "^[a-z0-9{][a-z0-9{}-]*$",
          "description": "Output name, optionally a template."
        },
        "concat": {
          "oneOf": [
            {
              "type": "string"
            },
            {
              "type": "array",
              "minItems": 1,
              "items": {
                "type": "string"
              }
            }
          ],
          "description": "Render ids (character/clip, globs allowed) and output names, in order."
        },
        "trim": {
          "type": "array",
          "prefixItems": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "type": "number",
              "exclusiveMinimum": 0
            }
          ],
          "minItems": 2,
          "maxItems": 2,
          "description": "[start, end] in seconds, start < end."
        }
      },
      "required": [
        "name",
        "concat"
      ]
    },
    "rate": {
      "type": "object",
      "additionalProperties": false,
      "description": "A price: max(minimum, base + per_second × billed seconds).",
      "properties": {
        "base": {
          "type": "number",
          "minimum": 0,
          "description": "Fixed part of the price."
        },
        "per_second": {
          "type": "number",
          "minimum": 0,
          "description": "Price per billed second (the clip's length rounded half up)."
        },
        "minimum": {
          "type": "number",
          "minimum": 0,
          "description": "Floor of the price."
        }
      }
    }
  }
}
"""#
}
