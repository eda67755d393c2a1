import { registry } from "@web/core/registry";

/**
 * A family's way in (#13), in four tours chained by the Python test
 * (tests/test_portal_tour_family.py): a visitor registers on the public form from a phone,
 * the clerk approves the registration in the back office, the guardian signs the enrolment
 * in the portal, then pays its invoice with the demo payment provider.
 */

function setValue(selector, value) {
    const input = document.querySelector(selector);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function fill(name, value, content) {
    return {
        content: content || `Fill ${name}`,
        trigger: `form.o_training_registration_form [name='${name}']`,
        run: `edit ${value}`,
    };
}

registry.category("web_tour.tours").add("training_attendance_portal_register", {
    steps: () => [
        {
            content: "The campus's registration form, on a phone",
            trigger: "form.o_training_registration_form",
        },
        fill("student_name", "Tour Xiaoming", "The student's name"),
        {
            content: "Gender",
            trigger: "select[name='gender']",
            run: "select male",
        },
        {
            content: "Birth date (the phone's date picker)",
            trigger: "input[name='birthdate']",
            run() {
                setValue("input[name='birthdate']", "2018-03-01");
            },
        },
        fill("street", "1 Renmin Road", "Address"),
        {
            content: "The class wished",
            trigger: "select[name='class_id']",
            run() {
                const select = document.querySelector("select[name='class_id']");
                const option = [...select.options].find((o) => o.text.includes("Maths G5 Wed"));
                setValue("select[name='class_id']", option.value);
            },
        },
        fill("guardian_name", "Tour Mother", "The guardian's name"),
        {
            content: "Relationship",
            trigger: "select[name='guardian_relationship']",
            run: "select mother",
        },
        fill("guardian_phone", "13812345678", "The guardian's mobile"),
        fill("guardian_email", "tour.mother@example.com", "The guardian's e-mail"),
        fill("emergency_name", "Tour Grandpa", "Emergency contact"),
        fill("emergency_phone", "13900001111", "Emergency phone"),
        fill("health_notes", "Peanut allergy", "Health condition"),
        {
            content: "Send the registration",
            trigger: ".o_training_register_submit",
            run: "click",
        },
        {
            content: "Received, with its reference",
            trigger: "#wrap:contains('Your registration is received.'):contains('Tour Xiaoming')",
        },
    ],
});

registry.category("web_tour.tours").add("training_attendance_registration_approve", {
    steps: () => [
        {
            content: "Open the registration to review",
            trigger: ".o_data_row td:contains('Tour Xiaoming')",
            run: "click",
        },
        {
            content: "Checklist: complete",
            trigger: ".o_field_widget[name='check_complete'] input",
            run: "click",
        },
        {
            content: "Checklist: contact valid",
            trigger: ".o_field_widget[name='check_contact'] input",
            run: "click",
        },
        {
            content: "Checklist: health information complete",
            trigger: ".o_field_widget[name='check_health'] input",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_view button[name='action_approve']",
            run: "click",
        },
        {
            content: "Approved: the student and the enrolment are created",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Approved')",
        },
        {
            trigger: ".o_field_widget[name='student_id']:contains('Tour Xiaoming')",
        },
    ],
});

registry.category("web_tour.tours").add("training_attendance_portal_sign", {
    url: "/my",
    steps: () => [
        {
            content: "Open My children from the portal's home",
            trigger: ".o_portal_docs a[href='/my/children']",
            run: "click",
        },
        {
            content: "The child's card says a signature is waiting; open the child's page",
            trigger: ".o_training_child_card:contains('Tour Xiaoming'):has(.o_training_to_sign)",
            run: "click",
        },
        {
            content: "The enrolment waits for the guardian's signature",
            trigger: ".o_training_enrollment_action a:contains('Sign')",
            run: "click",
        },
        {
            content: "Sign and confirm",
            trigger: ".o_training_sign",
            run: "click",
        },
        {
            content: "The guardian's name is filled in",
            trigger: ".modal .o_web_sign_name_and_signature input:value(Tour Mother)",
        },
        {
            content: "The dialog is open: its signature pad has its size",
            trigger: ".modal.show canvas.o_web_sign_signature:not([width='0'])",
        },
        {
            content: "Draw the signature (from the name)",
            trigger: ".modal .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item:eq(1)",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "Confirmed and signed",
            trigger: ".alert-success:contains('the enrolment is confirmed')",
        },
        {
            trigger: ".o_training_signed:contains('Tour Mother')",
        },
    ],
});

registry.category("web_tour.tours").add("training_attendance_portal_pay", {
    steps: () => [
        {
            content: "The enrolment's invoice, from its page",
            trigger: ".o_training_enrollment_invoices a",
            run: "click",
        },
        {
            content: "Pay now",
            trigger: "a[data-bs-target='#pay_with']:visible",
            run: "click",
        },
        {
            content: "The demo provider's successful payment",
            trigger: "#pay_with select#simulated_payment_state",
            run: "select done",
        },
        {
            content: "Pay",
            trigger: "#pay_with button[name='o_payment_submit_button']:enabled",
            run: "click",
        },
        {
            content: "Back on the invoice: paid",
            trigger: ".o_portal_sidebar .text-bg-success:contains('Paid')",
        },
    ],
});
