/**
 * Tetragon v1.7.0 load-time limits that the CRD schema does not express, and the bounds of what its BPF side
 * compares. The constructs, the policy checker and the simulator all read them from here.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/
 */
export const LIMITS = {
  /** Selectors per hook (`MaxSelectors`, pkg/selectors/selectors.go). */
  selectorsPerHook: 5,
  /** matchArgs (plus matchData) entries per selector on kernels >= 5.3 (`ParseMatchArgs`). */
  matchArgsPerSelector: 5,
  /** Values per numeric filter: Equal/NotEqual/GT/LT/Mask on integers, and InRange (`writeMatchValues`). */
  numericValuesPerFilter: 4,
  /**
   * Characters per Prefix/NotPrefix value that can match: Tetragon accepts 256 (`StringPrefixMaxLength`), but its BPF
   * side compares at most 255 bytes of the argument, so a 256-byte prefix never matches.
   */
  prefixLength: 255,
  /** Bytes per Prefix/NotPrefix value that Tetragon accepts (`StringPrefixMaxLength`); only {@link LIMITS.prefixLength} can match. */
  prefixLengthAccepted: 256,
  /** Characters per Postfix/NotPostfix value (`StringPostfixMaxLength` - 1). */
  postfixLength: 127,
  /** Characters per Equal/NotEqual string value on kernels >= 5.11 (510 on 5.4-5.10). */
  equalStringLength: 4096,
  /**
   * Bytes per Equal/NotEqual string value by the oldest kernel a policy must load on (`ArgStringSelectorValue`):
   * the first entry whose `from` the kernel reaches applies.
   */
  equalStringLengthByKernel: [
    { from: '5.11', bytes: 4096 },
    { from: '5.4', bytes: 510 },
    { from: '0.0', bytes: 144 },
  ],
  /** Longest argument string an Equal filter compares on 5.11+ kernels; a longer argument never compares Equal. */
  equalArgumentLength: 4094,
  /** Substrings per SubString/SubStringIgnCase filter (`SubstringMapEntries`). */
  substringValues: 100,
  /** Bytes per substring (`substringMaxLen` - 1). */
  substringLength: 99,
  /** Actions per selector (`ParseMatchActions`; the BPF loop's `MAX_ACTIONS`). */
  actionsPerSelector: 3,
  /** Tags per hook (`tags.go`, CRD maxItems). */
  tagsPerHook: 16,
  /** Tag length bounds: shorter is an error, longer is truncated by Tetragon. */
  tagLength: { min: 2, max: 128 },
  /** Message length bounds: shorter is an error, longer is truncated by Tetragon. */
  messageLength: { min: 2, max: 256 },
  /** Arguments plus data per hook (`EventConfigMaxArgs`). */
  argsPerHook: 5,
  /** Highest kprobe argument index (`addKprobe`). */
  maxArgIndex: 4,
  /** Highest argument index of a raw tracepoint. */
  maxRawTracepointArgIndex: 5,
  /** Characters per matchBinaries path. */
  binaryPathLength: 255,
  /** matchBinaries (and matchParentBinaries) entries per selector (`ParseMatchBinaries`). */
  binaryFiltersPerSelector: 1,
  /** Values per matchNamespaces filter. */
  namespaceValuesPerFilter: 4,
  /** matchNamespaces filters per selector on kernels >= 5.3. */
  namespaceFiltersPerSelector: 10,
  /** matchNamespaceChanges filters per selector (`ParseMatchNamespaceChanges`). */
  namespaceChangeFiltersPerSelector: 1,
  /** matchPIDs values the BPF side compares (`FIND_PIDSET`, bpf/process/pfilter.h). */
  pidValuesPerFilter: 4,
  /** Ancestors a followForks matchPIDs walks (`FIND_PIDSET10`: nine lookups, each a pid and its parent's pid). */
  pidAncestorLookups: 9,
  /** Enforcers per policy (`createEnforcerSensor`). */
  enforcersPerPolicy: 1,
} as const;
