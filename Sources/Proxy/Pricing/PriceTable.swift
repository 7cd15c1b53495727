import Foundation
import NIOConcurrencyHelpers
import Wire

/// Per-token prices, shipped as a resource (`prices.json`), and the cost of a usage block:
/// `(prompt − cached) × input + cached × cache_read + completion × output` (reasoning tokens are inside
/// completion tokens). A price row is chosen by `model_info.base_model`, then the upstream model (the dated snapshot
/// in the response, without its date), then the deployment model; `model_info` prices override the table.
public struct PriceTable: Sendable {
    public struct Price: Sendable, Equatable {
        public var input: Double
        public var output: Double
        public var cacheRead: Double?
        /// Images: per pixel of each image (standard and `hd` quality); audio: per second in, per character out.
        public var pixel: Double? = nil
        public var pixelHD: Double? = nil
        public var second: Double? = nil
        public var character: Double? = nil
    }

    public let prices: [String: Price]

    public static let shipped: PriceTable = {
        guard let url = Bundle.module.url(forResource: "prices", withExtension: "json"),
            let data = try? Data(contentsOf: url), let json = try? JSON.parse(data), let object = json.objectValue
        else { return PriceTable(prices: [:]) }
        var prices: [String: Price] = [:]
        for member in object where !member.key.hasPrefix("_") {
            guard let input = member.value["input"]?.doubleValue, let output = member.value["output"]?.doubleValue
            else { continue }
            prices[member.key] = Price(
                input: input,
                output: output,
                cacheRead: member.value["cache_read"]?.doubleValue,
                pixel: member.value["pixel"]?.doubleValue,
                pixelHD: member.value["pixel_hd"]?.doubleValue,
                second: member.value["second"]?.doubleValue,
                character: member.value["character"]?.doubleValue
            )
        }
        return PriceTable(prices: prices)
    }()

    public init(prices: [String: Price]) { self.prices = prices }

    /// Names already normalized and looked up (each request looks up two or three), bounded.
    let memo = NIOLockedValueBox<[String: Price?]>([:])

    /// The price for a deployment, given the model the upstream reported; nil when nothing is known.
    public func price(for deployment: ModelDeployment, upstreamModel: String?) -> Price? {
        var candidates: [String] = []
        if let base = deployment.modelInfo["base_model"]?.stringValue { candidates.append(base) }
        if let upstreamModel { candidates.append(upstreamModel) }
        candidates.append(deployment.upstreamModel)
        var found: Price?
        for candidate in candidates {
            if let price = lookup(candidate) {
                found = price
                break
            }
        }
        let input =
            deployment.modelInfo["input_cost_per_token"]?.doubleValue
            ?? deployment.litellmParams["input_cost_per_token"]?.doubleValue
        let output =
            deployment.modelInfo["output_cost_per_token"]?.doubleValue
            ?? deployment.litellmParams["output_cost_per_token"]?.doubleValue
        if input != nil || output != nil {
            return Price(
                input: input ?? found?.input ?? 0,
                output: output ?? found?.output ?? 0,
                cacheRead: found?.cacheRead,
                pixel: found?.pixel,
                pixelHD: found?.pixelHD,
                second: found?.second,
                character: found?.character
            )
        }
        return found
    }

    /// `azure/o4-mini-2025-04-16` → `o4-mini`: provider prefix and date suffix removed.
    func lookup(_ model: String) -> Price? {
        if let known = prices[model] { return known }
        if let known = memo.withLockedValue({ $0[model] }) { return known }
        let price = normalizedLookup(model)
        memo.withLockedValue { memo in
            if memo.count >= 4096 { memo.removeAll() }
            memo[model] = .some(price)
        }
        return price
    }

    func normalizedLookup(_ model: String) -> Price? {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let price = prices[name] { return price }
        let parts = name.split(separator: "-")
        if parts.count > 3, parts.suffix(3).allSatisfy({ $0.allSatisfy(\.isNumber) }) {
            return prices[parts.dropLast(3).joined(separator: "-")]
        }
        if parts.count > 1, let last = parts.last, last.count == 4, last.allSatisfy(\.isNumber) {
            return prices[parts.dropLast().joined(separator: "-")]
        }
        return nil
    }

    /// Cost in USD of a usage block at a price.
    public static func cost(usage: JSON, price: Price) -> Double {
        let prompt = Double(usage["prompt_tokens"]?.tokenCount ?? 0)
        let completion = Double(usage["completion_tokens"]?.tokenCount ?? 0)
        let cached = Double(usage["prompt_tokens_details"]?["cached_tokens"]?.tokenCount ?? 0)
        let cachedPrice = price.cacheRead ?? price.input
        return (prompt - cached) * price.input + cached * cachedPrice + completion * price.output
    }
}
