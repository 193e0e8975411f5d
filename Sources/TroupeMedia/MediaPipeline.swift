// TroupeMedia: troupe's in-process FFmpeg engine. How the folders fit together:
//
//   LibAV/     the only code that touches C: one Swift class per FFmpeg object (InputFile,
//              OutputFile, Decoder, Encoder, Frame, Packet, Scaler, Resampler, AudioFifo), each
//              freeing its allocation in deinit; OutputFile writes a temp file and renames it
//              into place on finish(), deleting it otherwise.
//   Pipeline/  SourceReader (decode from a time, frames with relative times) → VideoSink /
//              AudioSink (constant-rate H.264 / AAC, segment by segment) → Muxer. Every
//              re-encoding operation is "read segments, feed sinks": trim is one segment,
//              concat one per clip, the preview one per loop of the clip.
//   Probe/     MediaProbe → MediaInfo, and Kling's input limits on it.
//   Edit/      trim, concat, conform (stream copy where possible, else the pipeline).
//   Stills/    thumbnails, contact sheets, PNG/JPEG writing.
//   Synth/     deterministic test media (numbered frames, tone, character images).
//   Preview/   the `preview` provider's renderer.
//   Inspect/   full decodes for tests (frame counts, frame numbers, audio length).
//
// Public API: Synth, MediaProbe/MediaInfo/KlingLimits, MediaEditor, MediaStills,
// PreviewRenderer, VideoSettings, ImageFormat, MediaCancellation, MediaError.
