import NIOCore

/// A failed UI request: it renders as the error page with its status.
struct UIFailure: Error, Sendable {
    var status: Int
    var message: String

    init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: any Error) {
        switch error {
        case let failure as UIFailure: self = failure
        case let error as ProxyError: self.init(status: error.status, message: error.error.message)
        case is NIOTooManyBytesError: self.init(status: 413, message: "Form too large.")
        default: self.init(status: 500, message: "Internal error (\(String(describing: type(of: error)))).")
        }
    }
}
