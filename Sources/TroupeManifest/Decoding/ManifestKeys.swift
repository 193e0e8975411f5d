/// Every key the loader accepts, by section. The decoder rejects anything else, and a test
/// checks this table against `schemas/manifest.schema.json` so the two cannot drift.
public enum ManifestKeys {
    public static let root = ["troupe", "name", "provider", "budget", "uploads", "defaults",
                              "elements", "characters", "clips", "renders", "outputs", "pricing", "notify"]
    public static let provider = ["use", "model", "mode", "region", "concurrency", "rate"]
    public static let budget = ["max_units", "usd_per_unit", "warn_units", "max_increase_units", "max_render_units"]
    public static let uploads = ["s3"]
    public static let s3 = ["bucket", "prefix", "region", "endpoint", "expires"]
    public static let defaults = ["orientation", "keep_sound", "prompt", "watermark"]
    public static let with = ["model", "mode", "orientation", "keep_sound", "prompt", "watermark"]
    public static let element = ["from_video", "sha256", "duration", "description", "id"]
    public static let character = ["image", "element", "sha256"]
    public static let clip = ["video", "trim", "sha256", "duration", "conform"]
    public static let renderBlock = ["characters", "clips", "exclude", "with"]
    public static let exclusion = ["character", "clip"]
    public static let output = ["name", "concat", "from", "trim", "platform", "size", "fit", "overlay", "fade", "end_card",
                                "audio", "loudness", "true_peak", "captions", "poster", "gif"]
    public static let overlay = ["image", "at", "width", "margin", "opacity"]
    public static let fade = ["in", "out"]
    public static let endCard = ["image", "seconds"]
    public static let audio = ["music", "music_level", "original"]
    public static let gif = ["width", "fps", "from", "to"]
    public static let pricing = ["unit", "render", "element"]
    public static let rate = ["base", "per_second", "minimum"]
    public static let notify = ["url", "on"]

    /// Sections by their place in the document, as the schema test walks them.
    public static let sections: [String: [String]] = [
        "": root, "provider": provider, "budget": budget, "uploads": uploads, "uploads.s3": s3,
        "defaults": defaults, "elements.*": element, "characters.*": character, "clips.*": clip,
        "renders[]": renderBlock, "renders[].exclude[]": exclusion, "renders[].with": with,
        "outputs[]": output, "outputs[].overlay": overlay, "outputs[].fade": fade, "outputs[].end_card": endCard,
        "outputs[].audio": audio, "outputs[].gif": gif, "pricing": pricing, "pricing.render.*": rate, "pricing.element": rate,
        "notify": notify,
    ]
}
