import { registry } from "@web/core/registry";

/**
 * A guardian on a phone: from "My account" to the child's page, a sick leave for the day
 * of the next lesson, the doctor's certificate attached, submitted.
 */
registry.category("web_tour.tours").add("training_attendance_portal_sick_leave", {
    url: "/my",
    steps: () => [
        {
            content: "Open My children from the portal's home",
            trigger: ".o_portal_docs a[href='/my/children']",
            run: "click",
        },
        {
            content: "Open the child's page",
            trigger: ".o_training_child_card:contains('Tour Child')",
            run: "click",
        },
        {
            content: "Ask a leave for the day of the next lesson",
            trigger: ".o_training_session_leave:first",
            run: "click",
        },
        {
            content: "Sick leave",
            trigger: "select[name='leave_type']",
            run: "select sick",
        },
        {
            content: "The reason",
            trigger: "textarea[name='reason']",
            run: "edit Fever since last night",
        },
        {
            content: "Attach the doctor's certificate (a photo or PDF from the phone)",
            trigger: "input[name='certificate']",
            run() {
                const input = document.querySelector("input[name='certificate']");
                const files = new DataTransfer();
                files.items.add(
                    new File(["%PDF-1.4\n%%EOF\n"], "certificate.pdf", { type: "application/pdf" })
                );
                input.files = files.files;
            },
        },
        {
            content: "Submit",
            trigger: ".o_training_leave_submit",
            run: "click",
        },
        {
            content: "The leave is submitted and listed with its status",
            trigger: ".alert-success:contains('Your leave request is submitted')",
        },
        {
            trigger: ".o_training_leave:contains('Sick leave'):contains('Submitted')",
        },
    ],
});
