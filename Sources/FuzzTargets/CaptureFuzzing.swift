import Capture
import ProfileModel

/// Perf ring records, laid out by a sample format the input chooses.
enum CaptureFuzzing {
  /// Bytes before the records: sample_type (8, masked to what the parser supports),
  /// sample_id_all (1), sample_regs_user mask (8).
  static let headerSize = 17

  static func perfRecord(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    guard bytes.count >= headerSize else { return .rejected("shorter than the format header") }
    let sampleType = SampleType(
      rawValue: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self) & SampleType.supported.rawValue)
    let regsMask = bytes.loadUnaligned(fromByteOffset: 9, as: UInt64.self)
    let format: SampleFormat
    do {
      format = try SampleFormat(sampleType: sampleType, sampleIDAll: bytes[8] & 1 != 0, userRegisterMask: regsMask)
    } catch {
      require(false, "a supported sample type was refused: \(error)")
      return rejected(error.description)
    }
    let parser = PerfRecordParser(format: format)
    let records = UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
    // Each record alone: parse, and the timestamp shortcut agrees with the full parse.
    var offset = 0
    var parsed = 0
    while true {
      let size: Int?
      do { size = try PerfRecordParser.recordSize(in: records, at: offset) } catch { break }
      guard let size, offset + size <= records.count else { break }
      let record = UnsafeRawBufferPointer(rebasing: records[offset..<(offset + size)])
      let time = parser.time(of: record)
      if let r = try? parser.parse(record) {
        parsed += 1
        if case .sample(let s) = r, sampleType.contains(.time) {
          require(time == s.time, "time(of:) disagrees with parse")
        }
      }
      offset += size
    }
    // All of them through the converter, as a live capture does.
    var converter = ProfileConverter(frequency: 997)
    do {
      try converter.consume(records: records, parser: parser)
    } catch {
      return rejected(error.description)
    }
    let profile = converter.makeProfile(run: RunInfo())
    do {
      try profile.validate()
    } catch {
      require(false, "converted records fail validate(): \(error)")
    }
    // The same records as off-CPU switch and wakeup (sched_waking) events: the critical-thread
    // split at the end must keep the total and a valid profile.
    var offCPU = ProfileConverter(frequency: 997, offCPU: true)
    offset = 0
    while let size = try? PerfRecordParser.recordSize(in: records, at: offset), offset + size <= records.count {
      if let r = try? parser.parse(UnsafeRawBufferPointer(rebasing: records[offset..<(offset + size)])) {
        if case .comm = r { offCPU.consume(r) }
        offCPU.consume(switchEvent: r)
        offCPU.consume(wakingEvent: r)
      }
      offset += size
    }
    let off = offCPU.makeProfile(run: RunInfo())
    do {
      try off.validate()
    } catch {
      require(false, "off-CPU records fail validate(): \(error)")
    }
    if let column = off.sampleTypeIndex(named: "offcpu") {
      require(
        off.total(column: column) == off.run.offCPU?.offCPUNanos, "the critical-thread split changed the off-CPU total")
    }
    return .accepted(items: parsed)
  }

  /// A tracepoint format file: every field kept has a non-negative offset, a positive size and
  /// a name; parsing twice gives the same fields.
  static func tracepointFormat(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let text = String(decoding: bytes, as: UTF8.self)
    let fields = TracepointFields(format: text)
    for (name, f) in fields.fields {
      require(!name.isEmpty && f.offset >= 0 && f.size > 0, "field \(name) kept as \(f)")
    }
    require(fields == TracepointFields(format: text), "parsing is not deterministic")
    return fields.fields.isEmpty ? .rejected("no field lines") : .accepted(items: fields.fields.count)
  }
}

extension CaptureFuzzing {
  /// A BTF blob: task_struct's pid (and tgid) offsets, as the BPF loaders look them up.
  static func btf(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let btf: KernelBTF
    do { btf = try KernelBTF(blob: bytes) } catch { return .rejected(error.description) }
    var found = 0
    for member in ["pid", "tgid"] {
      do {
        let offset = try btf.offset(of: member, inStruct: "task_struct")
        require(offset >= 0, "member \(member) at negative offset \(offset)")
        require((try? btf.offset(of: member, inStruct: "task_struct")) == offset, "lookup is not deterministic")
        found += 1
      } catch {
        require(!error.description.isEmpty, "a refusal without a message")
      }
    }
    return found == 0 ? .rejected("no task_struct pid or tgid") : .accepted(items: found)
  }
}

extension CaptureFuzzing {
  /// Trace ring records (uprobe hits, context switches, LOST) as the tracer reads them: byte 0
  /// picks a cutoff, the rest are records. Decoded alone (probe calibration's path) and through
  /// a `RecordMerger` in one pass and in two (held back at the cutoff, then flushed): all three
  /// must give the same hits, in the same order, and count the same unparsed records.
  static func traceRecord(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    guard let first = bytes.first else { return .rejected("empty") }
    var decoder = TraceRecordDecoder()
    decoder.register(id: 1, function: 0, kind: .entry)
    decoder.register(id: 2, function: 0, kind: .return)
    decoder.register(id: 3, function: 1, kind: .tailJump)
    decoder.register(id: 4, function: 0, kind: .goroutineStart)
    let records = UnsafeRawBufferPointer(rebasing: bytes[1...])

    var alone = decoder
    var hits: [TraceHit] = []
    let used = alone.decode(records, into: &hits)
    require(used <= records.count, "decode consumed more bytes than it was given")

    var once = RecordMerger(rings: 1, parser: decoder)
    once.withBuffer(ring: 0) { $0 += records }
    var merged: [TraceHit] = []
    once.flush { merged.append($0) }
    require(merged == hits, "the merger and the decoder disagree on the hits")
    require(once.unparsedRecords == alone.unparsedRecords, "the merger and the decoder count unparsed records apart")
    require(once.decoder.lostRecords == alone.lostRecords, "lost records differ")
    require(once.decoder.probeHits == alone.probeHits, "probe hits differ")

    var twice = RecordMerger(rings: 1, parser: decoder)
    twice.withBuffer(ring: 0) { $0 += records }
    var held: [TraceHit] = []
    twice.emit(upTo: UInt64(first) << 8) { held.append($0) }
    twice.flush { held.append($0) }
    require(held == hits, "holding records back at a cutoff lost, repeated or reordered some")
    require(twice.unparsedRecords == alone.unparsedRecords, "a cutoff changed the unparsed count")
    return .accepted(items: hits.count)
  }
}
