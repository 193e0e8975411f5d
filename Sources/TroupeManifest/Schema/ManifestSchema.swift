// The manifest's JSON schema, compiled in so `troupe init` can write a copy into a new project
// (`.troupe-schema/manifest.schema.json`) that an editor loads offline. Generated from
// schemas/manifest.schema.json by scripts/embed-schema.sh; a test checks the two are the same.

public enum ManifestSchema {
    public static let json = #"""
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
      "description": "Spending limits and policies: plan and run refuse to spend above max_units or to make a render above max_render_units, warn above warn_units; plan --diff refuses an increase above max_increase_units.",
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
        },
        "warn_units": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Policy: plan, plan --diff and run warn when the new units pass this."
        },
        "max_increase_units": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Policy: plan --diff refuses (exit 3) when the change adds more units than this."
        },
        "max_render_units": {
          "type": "number",
          "exclusiveMinimum": 0,
          "description": "Policy: plan and run refuse (exit 3) when one new render would cost more than this."
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
      "description": "Local post-steps: concatenate renders and outputs, optionally trim, optionally finish as platform deliverables.",
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
    },
    "notify": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "url"
      ],
      "description": "Where troupe run POSTs a JSON summary (Slack-compatible \"text\" plus fields) when it ends. --notify and TROUPE_NOTIFY_URL take precedence.",
      "properties": {
        "url": {
          "type": "string",
          "pattern": "^(https://.+|http://(localhost|127\\.[0-9.]+|\\[::1\\])([:/].*)?|\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?)$",
          "description": "An https URL, or $NAME / ${NAME} to read it from the environment (a webhook URL is a secret: keep it out of git)."
        },
        "on": {
          "type": "array",
          "minItems": 1,
          "items": {
            "enum": [
              "finished",
              "failed",
              "budget"
            ]
          },
          "description": "Which endings are reported (default all): finished, failed (jobs failed, interrupted, refused), budget (a budget, policy or resource-pack limit stopped it)."
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
      "description": "A local post-step. {character} or {clip} in the name makes one output per character or clip; {platform} one per preset of `platform`. Finishing steps apply in this order: inputs (concat/from), trim, fit to the preset's size, overlay, captions, fade, end card, audio and loudness, encode.",
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
        "from": {
          "type": "string",
          "description": "One input: an output's name or a render id (instead of concat)."
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
        "platform": {
          "oneOf": [
            {
              "enum": [
                "reels",
                "shorts",
                "tiktok",
                "youtube",
                "square",
                "feed",
                "broadcast"
              ]
            },
            {
              "type": "array",
              "minItems": 1,
              "items": {
                "enum": [
                  "reels",
                  "shorts",
                  "tiktok",
                  "youtube",
                  "square",
                  "feed",
                  "broadcast"
                ]
              }
            }
          ],
          "description": "A platform preset or a list of presets (one output each, with {platform} in the name): reels, shorts, tiktok (1080x1920), youtube, broadcast (1920x1080), square (1080x1080), feed (1080x1350)."
        },
        "size": {
          "type": "string",
          "pattern": "^[0-9]+x[0-9]+$",
          "description": "WIDTHxHEIGHT in even pixels, instead of platform (reels' video and loudness rules)."
        },
        "fit": {
          "enum": [
            "crop",
            "pad",
            "blur"
          ],
          "description": "How a new aspect is met: crop (fill, cut the overflow), pad (black bars), blur (over a blurred copy of the picture). Default crop."
        },
        "overlay": {
          "type": "object",
          "additionalProperties": false,
          "description": "A logo over the picture (a PNG keeps its transparency).",
          "properties": {
            "image": {
              "type": "string",
              "pattern": "(?i)\\.(png|jpe?g)$",
              "description": "PNG or JPEG file beside the manifest."
            },
            "at": {
              "enum": [
                "top-left",
                "top-right",
                "bottom-left",
                "bottom-right"
              ],
              "description": "Corner; default top-right."
            },
            "width": {
              "type": "number",
              "minimum": 0.01,
              "maximum": 1,
              "description": "Width as a fraction of the frame's width; default 0.15."
            },
            "margin": {
              "type": "number",
              "minimum": 0,
              "maximum": 0.5,
              "description": "Distance from the edges as a fraction of the frame's shorter side; default 0.04."
            },
            "opacity": {
              "type": "number",
              "minimum": 0.01,
              "maximum": 1,
              "description": "1 is opaque; default 1."
            }
          },
          "required": [
            "image"
          ]
        },
        "fade": {
          "type": "object",
          "additionalProperties": false,
          "description": "Fade from and to black (and silence), picture and sound, in seconds.",
          "properties": {
            "in": {
              "type": "number",
              "minimum": 0,
              "maximum": 10,
              "description": "Seconds of fade in."
            },
            "out": {
              "type": "number",
              "minimum": 0,
              "maximum": 10,
              "description": "Seconds of fade out, before the end card."
            }
          }
        },
        "end_card": {
          "type": "object",
          "additionalProperties": false,
          "description": "A still shown after the programme, fitted inside the frame.",
          "properties": {
            "image": {
              "type": "string",
              "pattern": "(?i)\\.(png|jpe?g)$",
              "description": "PNG or JPEG file beside the manifest."
            },
            "seconds": {
              "type": "number",
              "minimum": 0.1,
              "maximum": 30,
              "description": "How long it is shown."
            }
          },
          "required": [
            "image",
            "seconds"
          ]
        },
        "audio": {
          "type": "object",
          "additionalProperties": false,
          "description": "The sound: a music bed (looped with a crossfade when shorter, cut with a fade when longer) and whether the render's own sound stays.",
          "properties": {
            "music": {
              "type": "string",
              "pattern": "(?i)\\.(m4a|mp3|wav|aac|mp4|mov|ogg|flac)$",
              "description": "Audio file beside the manifest."
            },
            "music_level": {
              "type": "number",
              "minimum": -60,
              "maximum": 0,
              "description": "dB under the programme's sound; default -12."
            },
            "original": {
              "type": "boolean",
              "description": "Keep the render's sound; default true (an error when the renders have none)."
            }
          }
        },
        "loudness": {
          "type": "number",
          "minimum": -40,
          "maximum": -5,
          "description": "Integrated loudness target in LUFS; default the preset's (-14, broadcast -23)."
        },
        "true_peak": {
          "type": "number",
          "minimum": -9,
          "maximum": 0,
          "description": "True-peak ceiling in dBTP; default -1."
        },
        "captions": {
          "type": "string",
          "pattern": "(?i)\\.(srt|ass|ssa|vtt)$",
          "description": "Subtitle file burned into the picture (libass), in a readable default style."
        },
        "poster": {
          "type": "number",
          "minimum": 0,
          "description": "Also write out/<name>.jpg, the frame at this many seconds."
        },
        "gif": {
          "type": "object",
          "additionalProperties": false,
          "description": "Also write out/<name>.gif, with a palette made for it.",
          "properties": {
            "width": {
              "type": "integer",
              "minimum": 16,
              "maximum": 4096,
              "description": "Pixels; default 480."
            },
            "fps": {
              "type": "integer",
              "minimum": 1,
              "maximum": 50,
              "description": "Default 12."
            },
            "from": {
              "type": "number",
              "minimum": 0,
              "description": "Seconds; default 0."
            },
            "to": {
              "type": "number",
              "exclusiveMinimum": 0,
              "description": "Seconds; default 3 (at most 30 after from)."
            }
          }
        }
      },
      "required": [
        "name"
      ],
      "oneOf": [
        {
          "required": [
            "concat"
          ]
        },
        {
          "required": [
            "from"
          ]
        }
      ],
      "not": {
        "required": [
          "platform",
          "size"
        ]
      }
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
