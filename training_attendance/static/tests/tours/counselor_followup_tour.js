import { registry } from "@web/core/registry";

/**
 * A counselor works from the activity inbox: the file handover of a new student is
 * due today; marking it done with a note starts the first guardian call, which the
 * counselor "logs" by marking it done with the call's summary. Both are in the
 * student's follow-up log.
 */
registry.category("web_tour.tours").add("training_attendance_counselor_followup", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the activities of the systray",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "The enrolments with an activity of mine",
            trigger: ".o-mail-ActivityGroup[data-model_name='training.enrollment']",
            run: "click",
        },
        {
            content: "Open the new student's enrolment",
            trigger: ".o_data_row td:contains('Tour Newcomer')",
            run: "click",
        },
        {
            content: "Mark the file handover done",
            trigger: ".o-mail-Activity:contains('Receive the file of Tour Newcomer') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Say how it went",
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            run: "edit File received from the consultant",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            run: "click",
        },
        {
            content: "The first guardian call is due next",
            trigger: ".o-mail-Activity:contains('First call to the family of Tour Newcomer') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Log the call",
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            run: "edit Log a call: the mother wants weekly news",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            run: "click",
        },
        {
            content: "The call is in the enrolment's history",
            trigger: ".o-mail-Message:contains('the mother wants weekly news')",
        },
        {
            content: "The consultant sync is still to do",
            trigger: ".o-mail-Activity:contains('Sync with the consultant about Tour Newcomer')",
        },
        {
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity:contains('First call to the family')))",
        },
        {
            content: "The Follow-ups button counts both without a page reload",
            trigger: ".o-form-buttonbox button[name='action_view_followups'] .o_stat_value:contains('2')",
        },
        {
            content: "Open the follow-up log",
            trigger: ".o-form-buttonbox button[name='action_view_followups']",
            run: "click",
        },
        {
            content: "The call is logged as a follow-up",
            trigger: ".o_data_row:contains('the mother wants weekly news'):contains('First guardian call')",
        },
        {
            trigger: ".o_data_row:contains('File received from the consultant'):contains('File handover')",
        },
    ],
});
