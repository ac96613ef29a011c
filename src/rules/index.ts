import type { Rule } from "./types.js";
import tlsVersionRefused from "./tls-version-refused.js";
import tlsNoSharedCipher from "./tls-no-shared-cipher.js";
import tlsCertificateRejected from "./tls-certificate-rejected.js";
import tlsHandshakeFailed from "./tls-handshake-failed.js";
import tlsHandshakeAbandoned from "./tls-handshake-abandoned.js";
import tlsDeprecatedVersion from "./tls-deprecated-version.js";
import tlsWeakCipherSuite from "./tls-weak-cipher-suite.js";
import tlsCertificateExpired from "./tls-certificate-expired.js";
import tlsCertificateNameMismatch from "./tls-certificate-name-mismatch.js";
import bdatSequenceViolation from "./bdat-sequence-violation.js";
import authLockoutTooEarly from "./auth-lockout-too-early.js";
import authExchangeSyntax from "./auth-exchange-syntax.js";
import authInitialResponseInvalid from "./auth-initial-response-invalid.js";
import middleboxEsmtpRewriting from "./middlebox-esmtp-rewriting.js";
import greetingDelay from "./greeting-delay.js";
import dataContinuesAfterEnd from "./data-continues-after-end.js";
import sizeLimitViolation from "./size-limit-violation.js";
import recipientLimitBelow100 from "./recipient-limit-below-100.js";
import escMissingOrInconsistent from "./esc-missing-or-inconsistent.js";
import submissionUnauthenticatedMailAccepted from "./submission-unauthenticated-mail-accepted.js";
import authMailParam from "./auth-mail-param.js";
import clientTimeoutTooShort from "./client-timeout-too-short.js";
import serverIdleTimeoutTooShort from "./server-idle-timeout-too-short.js";
import commandSyntax from "./command-syntax.js";
import sequenceErrorNot503 from "./sequence-error-not-503.js";
import serviceShutdown421 from "./service-shutdown-421.js";
import authStateViolation from "./auth-state-violation.js";
import pipeliningDataAcceptedWithoutRcpt from "./pipelining-data-accepted-without-rcpt.js";
import serverCloseAfter554Greeting from "./server-close-after-554-greeting.js";
import deprecatedFeature from "./deprecated-feature.js";
import starttlsMisuse from "./starttls-misuse.js";
import connectionCloseViolation from "./connection-close-violation.js";
import pipeliningKeywordWithParameter from "./pipelining-keyword-with-parameter.js";
import smtputf8AdvertisementInvalid from "./smtputf8-advertisement-invalid.js";
import escSyntax from "./esc-syntax.js";
import replyBeforeCommandComplete from "./reply-before-command-complete.js";
import eightbitDataWithout8bitmime from "./eightbit-data-without-8bitmime.js";
import advertisedExtensionRejected from "./advertised-extension-rejected.js";
import ehloReplyMalformed from "./ehlo-reply-malformed.js";
import heloExtendedReply from "./helo-extended-reply.js";
import mandatoryReplyWrong from "./mandatory-reply-wrong.js";
import replyCodeInvalid from "./reply-code-invalid.js";
import replyContinuationInvalid from "./reply-continuation-invalid.js";
import multilineCodeMismatch from "./multiline-code-mismatch.js";
import replyLastLineNoSp from "./reply-last-line-no-sp.js";
import replyTextInvalidChars from "./reply-text-invalid-chars.js";
import replyIncompleteAtClose from "./reply-incomplete-at-close.js";
import replyLineTooLong from "./reply-line-too-long.js";
import bareCrLfInReply from "./bare-cr-lf-in-reply.js";
import escClassMismatch from "./esc-class-mismatch.js";
import bareCrLfInCommand from "./bare-cr-lf-in-command.js";
import commandLineTooLong from "./command-line-too-long.js";
import nonAsciiInCommand from "./non-ascii-in-command.js";
import greetingInvalid from "./greeting-invalid.js";
import unsolicitedReply from "./unsolicited-reply.js";
import replyCountMismatch from "./reply-count-mismatch.js";
import replyCodeUnexpectedForCommand from "./reply-code-unexpected-for-command.js";
import mailWithoutHelo from "./mail-without-helo.js";
import transactionOrderViolation from "./transaction-order-violation.js";
import messageDataWithout354 from "./message-data-without-354.js";
import replySplitAcrossSegments from "./reply-split-across-segments.js";
import replySplitDelay from "./reply-split-delay.js";
import clientCommandBeforeReplyComplete from "./client-command-before-reply-complete.js";
import clientActedOnPartialMultilineReply from "./client-acted-on-partial-multiline-reply.js";
import pregreetEarlyTalker from "./pregreet-early-talker.js";
import commandSplitAcrossSegments from "./command-split-across-segments.js";
import serverReplyLatency from "./server-reply-latency.js";
import pipeliningNotNegotiated from "./pipelining-not-negotiated.js";
import pipeliningCommandNotLast from "./pipelining-command-not-last.js";
import starttlsCommandInjection from "./starttls-command-injection.js";
import plaintextAfterStarttlsAccepted from "./plaintext-after-starttls-accepted.js";
import starttlsResponseInjection from "./starttls-response-injection.js";
import starttlsUnavailableOrStripped from "./starttls-unavailable-or-stripped.js";
import plaintextAfterStarttlsFailure from "./plaintext-after-starttls-failure.js";
import implicitTlsPortMismatch from "./implicit-tls-port-mismatch.js";
import authCleartextCredentials from "./auth-cleartext-credentials.js";
import authMechanismNotAdvertised from "./auth-mechanism-not-advertised.js";
import esmtpParamNotAdvertised from "./esmtp-param-not-advertised.js";
import nonstandardEndOfData from "./nonstandard-end-of-data.js";
import bareCrLfInData from "./bare-cr-lf-in-data.js";
import smuggledCommandsInData from "./smuggled-commands-in-data.js";
import serverAcceptsNonstandardEod from "./server-accepts-nonstandard-eod.js";
import dataLineTooLong from "./data-line-too-long.js";
import bdatWithoutChunking from "./bdat-without-chunking.js";
import bdatFramingError from "./bdat-framing-error.js";
import serverWithholdsPendingReplies from "./server-withholds-pending-replies.js";
import pipelinedGroupExceedsWindow from "./pipelined-group-exceeds-window.js";
import interceptingProxyDetected from "./intercepting-proxy-detected.js";

/** Every rule, in catalog order (RFC 5321 §4.2 syntax first, then order, timing, extensions, content). */
export const ALL_RULES: Rule[] = [
  replyCodeInvalid,
  replyContinuationInvalid,
  multilineCodeMismatch,
  replyLastLineNoSp,
  replyTextInvalidChars,
  replyIncompleteAtClose,
  replyLineTooLong,
  bareCrLfInReply,
  escClassMismatch,
  escSyntax,
  escMissingOrInconsistent,
  bareCrLfInCommand,
  commandLineTooLong,
  nonAsciiInCommand,
  commandSyntax,
  greetingInvalid,
  unsolicitedReply,
  replyCountMismatch,
  replyCodeUnexpectedForCommand,
  mailWithoutHelo,
  transactionOrderViolation,
  sequenceErrorNot503,
  recipientLimitBelow100,
  replyBeforeCommandComplete,
  mandatoryReplyWrong,
  connectionCloseViolation,
  serviceShutdown421,
  serverCloseAfter554Greeting,
  deprecatedFeature,
  heloExtendedReply,
  ehloReplyMalformed,
  advertisedExtensionRejected,
  messageDataWithout354,
  replySplitAcrossSegments,
  replySplitDelay,
  clientCommandBeforeReplyComplete,
  clientActedOnPartialMultilineReply,
  pregreetEarlyTalker,
  greetingDelay,
  commandSplitAcrossSegments,
  serverWithholdsPendingReplies,
  pipelinedGroupExceedsWindow,
  serverReplyLatency,
  clientTimeoutTooShort,
  serverIdleTimeoutTooShort,
  pipeliningNotNegotiated,
  pipeliningCommandNotLast,
  pipeliningKeywordWithParameter,
  pipeliningDataAcceptedWithoutRcpt,
  starttlsCommandInjection,
  plaintextAfterStarttlsAccepted,
  starttlsResponseInjection,
  starttlsUnavailableOrStripped,
  middleboxEsmtpRewriting,
  interceptingProxyDetected,
  plaintextAfterStarttlsFailure,
  starttlsMisuse,
  implicitTlsPortMismatch,
  tlsVersionRefused,
  tlsNoSharedCipher,
  tlsCertificateRejected,
  tlsHandshakeFailed,
  tlsHandshakeAbandoned,
  tlsDeprecatedVersion,
  tlsWeakCipherSuite,
  tlsCertificateExpired,
  tlsCertificateNameMismatch,
  authCleartextCredentials,
  authMechanismNotAdvertised,
  authStateViolation,
  authMailParam,
  authExchangeSyntax,
  authInitialResponseInvalid,
  authLockoutTooEarly,
  submissionUnauthenticatedMailAccepted,
  esmtpParamNotAdvertised,
  sizeLimitViolation,
  smtputf8AdvertisementInvalid,
  nonstandardEndOfData,
  bareCrLfInData,
  smuggledCommandsInData,
  serverAcceptsNonstandardEod,
  dataContinuesAfterEnd,
  dataLineTooLong,
  eightbitDataWithout8bitmime,
  bdatWithoutChunking,
  bdatFramingError,
  bdatSequenceViolation,
];
