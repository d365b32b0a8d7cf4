#!/bin/bash

__recon_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__recon_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__recon_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__recon_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_recon() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __recon_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|fetch|check|inspect|formats|audit|replay|history|show|ack|generate|help)
        # Offer subcommand argument completions
        "_recon_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run fetch check inspect formats audit replay history show ack generate help' -- "${cur}"))
        ;;
    esac
}

_recon_run() {
    repeating_flags=()
    non_repeating_flags=(--fetch --allow-skew --quiet --dry-run --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--as-of --out --archive --audit --repository --wait --log-level --log-format --fetch-dir --metrics-file)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--as-of')
        return
        ;;
    '--out')
        __recon_add_completions -d
        return
        ;;
    '--archive')
        return
        ;;
    '--audit')
        return
        ;;
    '--repository')
        return
        ;;
    '--wait')
        return
        ;;
    '--log-level')
        __recon_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'
        return
        ;;
    '--log-format')
        __recon_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--fetch-dir')
        __recon_add_completions -d
        return
        ;;
    '--metrics-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_recon_fetch() {
    repeating_flags=()
    non_repeating_flags=(--allow-skew --quiet --json --version -h --help)
    repeating_options=(--input)
    non_repeating_options=(--as-of --into --wait)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--as-of')
        return
        ;;
    '--into')
        __recon_add_completions -d
        return
        ;;
    '--input')
        return
        ;;
    '--wait')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_recon_check() {
    repeating_flags=()
    non_repeating_flags=(--json --quiet --lines --version -h --help)
    repeating_options=()
    non_repeating_options=(--as-of)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--as-of')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    esac
}

_recon_inspect() {
    repeating_flags=()
    non_repeating_flags=(--negative-parentheses --currency-symbols --empty-is-zero --header --no-header --version -h --help)
    repeating_options=(--column)
    non_repeating_options=(--job --input --as-of --format --venue --account --kind --columns --records --balance-type --delimiter --decimal-separator --thousands-separator)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--job')
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--input')
        return
        ;;
    '--as-of')
        return
        ;;
    '--format')
        __recon_add_completions -W 'coinbase-advanced-accounts'$'\n''coinbase-exchange-accounts'$'\n''coinbase-exchange-statement'$'\n''coinbase-transactions'$'\n''dydx-subaccount'$'\n''kraken-ledgers'$'\n''kraken-balance'$'\n''binance-account'$'\n''ccxt-balance'$'\n''camt053'$'\n''camt052'$'\n''csv'$'\n''json'$'\n''xml'
        return
        ;;
    '--venue')
        return
        ;;
    '--account')
        return
        ;;
    '--kind')
        return
        ;;
    '--column')
        return
        ;;
    '--columns')
        return
        ;;
    '--records')
        return
        ;;
    '--balance-type')
        return
        ;;
    '--delimiter')
        return
        ;;
    '--decimal-separator')
        return
        ;;
    '--thousands-separator')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -f
        return
        ;;
    esac
}

_recon_formats() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __recon_offer_flags_options 0
}

_recon_audit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __recon_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    verify|keygen)
        # Offer subcommand argument completions
        "_recon_audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'verify keygen' -- "${cur}"))
        ;;
    esac
}

_recon_audit_verify() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--checkpoint --public-key --repository)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--checkpoint')
        __recon_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--public-key')
        return
        ;;
    '--repository')
        __recon_add_completions -o plusdirs -fX '!*.@(sqlite)'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -o plusdirs -fX '!*.@(jsonl)'
        return
        ;;
    esac
}

_recon_audit_keygen() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __recon_offer_flags_options 1
}

_recon_replay() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--audit --archive --inputs --out --repository)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--audit')
        __recon_add_completions -o plusdirs -fX '!*.@(jsonl)'
        return
        ;;
    '--archive')
        __recon_add_completions -d
        return
        ;;
    '--inputs')
        return
        ;;
    '--out')
        return
        ;;
    '--repository')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -W "$(eval 'recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null')"
        return
        ;;
    esac
}

_recon_history() {
    repeating_flags=()
    non_repeating_flags=(--json --ids --version -h --help)
    repeating_options=()
    non_repeating_options=(--repository --job --as-of --since)
    __recon_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--repository')
        __recon_add_completions -o plusdirs -fX '!*.@(sqlite)'
        return
        ;;
    '--job')
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--as-of')
        return
        ;;
    '--since')
        return
        ;;
    esac
}

_recon_show() {
    repeating_flags=()
    non_repeating_flags=(--all --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--repository --job --as-of)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--repository')
        __recon_add_completions -o plusdirs -fX '!*.@(sqlite)'
        return
        ;;
    '--job')
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--as-of')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -W "$(eval 'recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null')"
        return
        ;;
    esac
}

_recon_ack() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __recon_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|approve)
        # Offer subcommand argument completions
        "_recon_ack_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add approve' -- "${cur}"))
        ;;
    esac
}

_recon_ack_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--job --as-of --reason --by --expires --within)
    __recon_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--job')
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--as-of')
        return
        ;;
    '--reason')
        return
        ;;
    '--by')
        return
        ;;
    '--expires')
        return
        ;;
    '--within')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __recon_add_completions -W "$(eval 'recon history --repository "${RECON_REPOSITORY:-out/recon.sqlite}" --ids 2>/dev/null')"
        return
        ;;
    esac
}

_recon_ack_approve() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--job --as-of --by --line)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--job')
        __recon_add_completions -o plusdirs -fX '!*.@(yaml|yml)'
        return
        ;;
    '--as-of')
        return
        ;;
    '--by')
        return
        ;;
    '--line')
        return
        ;;
    esac
}

_recon_generate() {
    repeating_flags=()
    non_repeating_flags=(--plain --version -h --help)
    repeating_options=()
    non_repeating_options=(--entries --seed --level --accounts --statement-files)
    __recon_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--entries')
        return
        ;;
    '--seed')
        return
        ;;
    '--level')
        return
        ;;
    '--accounts')
        return
        ;;
    '--statement-files')
        return
        ;;
    esac
}

_recon_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __recon_offer_flags_options -1
}

complete -o filenames -F _recon recon
