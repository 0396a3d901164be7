/**
 * Tetragon v1.7.0 load-time limits that the CRD schema does not express.
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
  /** Characters per Postfix/NotPostfix value (`StringPostfixMaxLength` - 1). */
  postfixLength: 127,
  /** Characters per Equal/NotEqual string value on kernels >= 5.11 (510 on 5.4-5.10). */
  equalStringLength: 4096,
  /** Actions per selector (`ParseMatchActions`). */
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
  /** Characters per matchBinaries path. */
  binaryPathLength: 255,
  /** Values per matchNamespaces filter. */
  namespaceValuesPerFilter: 4,
  /** matchNamespaces filters per selector on kernels >= 5.3. */
  namespaceFiltersPerSelector: 10,
} as const;
