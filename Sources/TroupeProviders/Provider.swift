public import TroupeManifest

/// A provider a campaign renders with (DESIGN §6). One renders in this process
/// (`LocalProvider`: preview), the others at a service that creates, queries and polls tasks
/// (`RemoteProvider`: Kling; fal later). Limits and prices are the plan's: TroupePlan checks
/// Kling's input limits for every provider and prices from its tables.
public protocol Provider: Sendable {
    /// Which of the manifest's providers (`provider.use`) this is.
    var kind: ProviderKind { get }
}

extension Provider {
    /// The name a manifest gives it.
    public var name: String { kind.rawValue }
}
