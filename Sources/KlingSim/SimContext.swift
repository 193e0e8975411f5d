internal import Hummingbird
internal import NIOCore

/// Request context that keeps the channel, so a fault can close the socket without answering.
struct SimContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
